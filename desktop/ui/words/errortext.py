"""Error sentences from the core and the engines, in the UI language.

The core and the engines raise ``DotsError`` with English sentences (the CLI and the JSON
show them as they are). The window shows them through ``reasons.reason_words``, which
applies these rules fragment by fragment, as it does for page reasons: a message and its
fix translate separately, and an unknown sentence stays English rather than vanishing.
%1, %2 … are the English fragment's groups (file names, addresses, numbers, details).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

#: The part before ": " in "photo.png: the file is empty.": a file name (no line breaks).
_NAME = r"([^\n]+?)"
#: A detail in parentheses, up to the ")." that ends the sentence.
_DETAIL = r"\((.+?)\)\.(?=\s|$)"
#: An address: up to the full stop that ends the sentence.
_URL = r"(\S+?)"
_END = r"\.(?=\s|$)"


def t(text: str) -> str:
    return QCoreApplication.translate("ErrorText", text)


def error_rules() -> tuple[tuple[str, str], ...]:
    """(English fragment as raised, its translation). Translated at each call: the
    language can change while the app runs."""
    return (
        # Files (core/images.py)
        (
            rf"{_NAME}: not a regular file \(a pipe, socket or device\)\.",
            t("%1: not a regular file (a pipe, socket or device)."),
        ),
        (r"Save the pages to a file and open that\.", t("Save the pages to a file and open that.")),
        (rf"{_NAME}: the file does not exist\.", t("%1: the file does not exist.")),
        (rf"{_NAME}: this is a folder, not a file\.", t("%1: this is a folder, not a file.")),
        (rf"{_NAME}: the file cannot be read {_DETAIL}", t("%1: the file cannot be read (%2).")),
        (
            r"Check that it exists and you may read it\.",
            t("Check that it exists and you may read it."),
        ),
        (rf"{_NAME}: the file is empty\.", t("%1: the file is empty.")),
        (
            rf"{_NAME}: not an image or PDF this app reads\.",
            t("%1: not an image or PDF this app reads."),
        ),
        (
            r"Use PNG, JPEG, WebP, BMP, GIF, TIFF or PDF\.",
            t("Use PNG, JPEG, WebP, BMP, GIF, TIFF or PDF."),
        ),
        (
            rf"{_NAME}: the image is damaged or truncated {_DETAIL}",
            t("%1: the image is damaged or truncated (%2)."),
        ),
        (
            r"Open it in an image viewer and save it again\.",
            t("Open it in an image viewer and save it again."),
        ),
        (
            rf"{_NAME}: the image has (\d+x\d+) pixels, more than the (\d+) MP limit\.",
            t("%1: the image has %2 pixels, more than the %3 MP limit."),
        ),
        (
            rf"{_NAME}: the image has too many pixels, more than the (\d+) MP limit\.",
            t("%1: the image has too many pixels, more than the %2 MP limit."),
        ),
        (
            r"Scale it down or crop it before reading it\.",
            t("Scale it down or crop it before reading it."),
        ),
        (rf"{_NAME}: the image has no pixels\.", t("%1: the image has no pixels.")),
        (
            rf"{_NAME}: page (\d+) cannot be read {_DETAIL}",
            t("%1: page %2 cannot be read (%3)."),
        ),
        (rf"{_NAME}: the password is wrong\.", t("%1: the password is wrong.")),
        (r"Check it and try again\.", t("Check it and try again.")),
        (
            rf"{_NAME}: the PDF is protected by a password\.",
            t("%1: the PDF is protected by a password."),
        ),
        (r"Enter its password to read it\.", t("Enter its password to read it.")),
        (
            rf"{_NAME}: the PDF is damaged or incomplete {_DETAIL}",
            t("%1: the PDF is damaged or incomplete (%2)."),
        ),
        (
            r"Open it in a PDF viewer and save or print it to a new PDF\.",
            t("Open it in a PDF viewer and save or print it to a new PDF."),
        ),
        (rf"{_NAME}: the PDF has no pages\.", t("%1: the PDF has no pages.")),
        (rf"{_NAME}: there is no data\.", t("%1: there is no data.")),
        # Servers (engines/errors.py, engines/client.py)
        (rf"No OCR server answers at {_URL}{_END}", t("No OCR server answers at %1.")),
        (
            r"Start the model from the Model panel or check the address\.",
            t("Start the model from the Model panel or check the address."),
        ),
        (
            rf"The OCR server at {_URL} rejected the API key\.",
            t("The OCR server at %1 rejected the API key."),
        ),
        (
            rf"The OCR server at {_URL} needs an API key\.",
            t("The OCR server at %1 needs an API key."),
        ),
        (
            r"Set the key with --api-key or DOTS_DESKTOP_API_KEY \(Settings in the window\)\.",
            t("Set the key with --api-key or DOTS_DESKTOP_API_KEY (Settings in the window)."),
        ),
        (
            rf"The server does not serve a model named (.+?); it serves: (.+?){_END}",
            t("The server does not serve a model named %1; it serves: %2."),
        ),
        (
            r"Leave the model name empty to use the served one, or pick one of those\.",
            t("Leave the model name empty to use the served one, or pick one of those."),
        ),
        (
            r"Lower --max-tokens or restart the model with a larger --max-model-len\.",
            t("Lower --max-tokens or restart the model with a larger --max-model-len."),
        ),
        (
            rf"The OCR server at {_URL} did not answer in time\.",
            t("The OCR server at %1 did not answer in time."),
        ),
        (
            r"The OCR server did not start answering within (\d+) s\.",
            t("The OCR server did not start answering within %1 s."),
        ),
        (
            r"The OCR server went quiet for (\d+) s while reading a page\.",
            t("The OCR server went quiet for %1 s while reading a page."),
        ),
        (
            rf"The connection to the OCR server at {_URL} broke while reading \((\w+)\);"
            r" it may have crashed or restarted\.",
            t(
                "The connection to the OCR server at %1 broke while reading (%2);"
                " it may have crashed or restarted."
            ),
        ),
        (
            rf"The server at {_URL} lists no models yet\.",
            t("The server at %1 lists no models yet."),
        ),
        (
            rf"{_URL} answered /v1/models with something that is not a model list\.",
            t("%1 answered /v1/models with something that is not a model list."),
        ),
        (
            r"The server refused the request \(HTTP (\d+)\):",
            t("The server refused the request (HTTP %1):"),
        ),
        (r"The OCR server failed \(HTTP (\d+)\):", t("The OCR server failed (HTTP %1):")),
        (r"The server says:", t("The server says:")),
        (
            r"The server sent a malformed stream event",
            t("The server sent a malformed stream event"),
        ),
        (r"The server failed while writing:", t("The server failed while writing:")),
        (
            r"The page does not fit the server's (\d+)-token context even after fitting it",
            t("The page does not fit the server's %1-token context even after fitting it"),
        ),
        (
            r"The page does not fit the server's context even after fitting it",
            t("The page does not fit the server's context even after fitting it"),
        ),
        (
            r"The server's context of (\d+) tokens cannot hold a page image and an answer\.",
            t("The server's context of %1 tokens cannot hold a page image and an answer."),
        ),
        (
            r"Restart the model with a larger --max-model-len\.",
            t("Restart the model with a larger --max-model-len."),
        ),
        # Pages (core/resize.py, engines/server.py)
        (r"The image has no pixels \((\d+x\d+)\)\.", t("The image has no pixels (%1).")),
        (
            r"The page is (\d+x\d+) pixels, an aspect ratio above (\d+)\.",
            t("The page is %1 pixels, an aspect ratio above %2."),
        ),
        (
            r"Crop it into shorter pieces and read those\.",
            t("Crop it into shorter pieces and read those."),
        ),
        (
            r"Reading a region needs a region: draw a box on the page first\.",
            t("Reading a region needs a region: draw a box on the page first."),
        ),
        # Engines (ui/bridge.py, engines/chat.py, engines/builtin)
        (r"No OCR engine is configured\.", t("No OCR engine is configured.")),
        (r"Open Settings and choose one\.", t("Open Settings and choose one.")),
        (rf"^{_NAME} cannot chat about pages\.", t("%1 cannot chat about pages.")),
        (
            r"Start a chat-capable model \(dots\.ocr or Qwen3-VL\) from the Model panel\.",
            t("Start a chat-capable model (dots.ocr or Qwen3-VL) from the Model panel."),
        ),
        (
            r"The built-in CPU engine reads pages but cannot chat about them\.",
            t("The built-in CPU engine reads pages but cannot chat about them."),
        ),
        (
            r"Start a model server or container to ask questions about a page\.",
            t("Start a model server or container to ask questions about a page."),
        ),
        (
            r"Tesseract has no language pack for ([^\n]+?)\.(?=\s|$)",
            t("Tesseract has no language pack for %1."),
        ),
        (
            r"Check its installation and language packs\.",
            t("Check its installation and language packs."),
        ),
    )
