"""PyInstaller runtime hook: child processes get the user's library path, not the bundle's.

The Linux bootloader points LD_LIBRARY_PATH at the bundle's ``_internal`` folder (and keeps
the user's value in LD_LIBRARY_PATH_ORIG). The running app no longer needs it (the loader
read it at start-up), but every program the app starts inherits it: a system Tesseract,
nvidia-smi, xdg-open or a browser would then load the bundle's libstdc++/libpng/... instead
of their own and may fail. Restoring the original value here fixes all of them at once.
It also turns off OpenCV's FFmpeg video backend, whose libraries the Linux bundle stubs.
"""

import os
import sys


def _restore_library_path() -> None:
    if not sys.platform.startswith("linux"):
        return
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original:
        os.environ["LD_LIBRARY_PATH"] = original
    else:
        os.environ.pop("LD_LIBRARY_PATH", None)


_restore_library_path()


def _disable_opencv_ffmpeg() -> None:
    # The Linux bundle ships stubs for OpenCV's FFmpeg libraries (installer/cv2_stubs.py):
    # with its FFmpeg backend off, cv2.VideoCapture reports "not opened" instead of
    # reaching them. The app never uses OpenCV's video I/O.
    if sys.platform.startswith("linux"):
        os.environ.setdefault("OPENCV_VIDEOIO_PRIORITY_FFMPEG", "0")


_disable_opencv_ffmpeg()
