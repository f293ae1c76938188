"""A screen capture enlarged for reading when its text is small (see core.capturescale)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from desktop.core.capturescale import reading_factor


def _gray(image: QImage) -> np.ndarray:
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    stride = gray.bytesPerLine()
    data = np.frombuffer(gray.constBits(), dtype=np.uint8, count=stride * gray.height())
    # A copy: the array must not outlive ``gray``'s buffer, which goes with this function.
    return data.reshape(gray.height(), stride)[:, : gray.width()].copy()


def upscaled_for_reading(image: QImage) -> QImage:
    """``image`` enlarged (smoothly) until its text lines are tall enough to read well."""
    factor = reading_factor(_gray(image))
    if factor <= 1.0:
        return image
    size = image.size() * factor
    return image.scaled(
        size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
