# ruff: noqa: E501
# (a template reads best on one line)
"""Русский для первого запуска: может ли здесь работать модель в контейнере, вердикт doctor."""

from __future__ import annotations

from desktop.core.messages.codes import Code

TEMPLATES: dict[Code, str] = {
    Code.GPU_NOT_IN_CONTAINER: 'Контейнер модели не видит GPU (vLLM: "Failed to infer device type").',
    Code.FIX_GPU_NOT_IN_CONTAINER: "Установите NVIDIA Container Toolkit и перезапустите Docker (Windows: обновите Docker Desktop и драйвер NVIDIA) или читайте страницы встроенным движком.",
    Code.FREE_MEMORY_LOW_OF: "Свободно только {free_gib:.2f} из {total_gib:.2f} ГиБ памяти GPU, а --gpu-memory-utilization {utilization:g} требует {wanted_gib:.2f} ГиБ.",
    Code.CAP_NO_GPU: "Нет GPU NVIDIA: {profile} нужен GPU NVIDIA с драйвером, а на этом компьютере его не видно.",
    Code.FIX_CAP_NO_GPU: "Читайте страницы встроенным движком (ему GPU не нужен) или подключитесь к удалённому серверу в настройках.",
    Code.CAP_NO_DOCKER: "{profile} работает в Docker, а Docker недоступен: {reason}",
    Code.CAP_GPU_NOT_IN_CONTAINERS: "Нет GPU для контейнеров: Docker на {host} не смог дать контейнеру GPU ({detail}).",
    Code.CAP_NO_FIT: "{profile} не помещается в этот GPU: {shortfall}",
    Code.ENGINE_WORD_BUILTIN: "встроенный движок",
    Code.ENGINE_WORD_SERVER: "удалённый сервер",
    Code.ENGINE_WORD_MANAGED: "модель в контейнере",
    Code.DOC_BUILTIN_READY: "Встроенный движок: готов (модели распознавания на месте: {models}; языки Tesseract: {languages:join:, }).",
    Code.DOC_BUILTIN_NO_TESSERACT: "Встроенный движок: готов (модели распознавания на месте: {models}; Tesseract нет, поэтому страницы не на латинице читаются хуже).",
    Code.DOC_BUILTIN_MODELS_MISSING: "Встроенный движок: нет его моделей распознавания ({folder}).",
    Code.DOC_BUILTIN_BROKEN: "Встроенный движок: не может работать ({reason})",
    Code.FIX_BUILTIN_REINSTALL: "Переустановите Dots Desktop.",
    Code.DOC_SERVER_NOT_SET: "Удалённый сервер: не задан (задайте DOTS_DESKTOP_ENDPOINT или --endpoint для одной команды).",
    Code.DOC_SERVER_READY: "Удалённый сервер {endpoint}: доступен ({key}), обслуживает {models:join:, }.",
    Code.DOC_SERVER_READY_CONTEXT: "Удалённый сервер {endpoint}: доступен ({key}), обслуживает {models:join:, }; длина контекста {context} токенов.",
    Code.DOC_SERVER_UNREACHABLE: "Удалённый сервер {endpoint}: недоступен ({detail}).",
    Code.FIX_SERVER_UNREACHABLE: "Проверьте адрес и что сервер запущен.",
    Code.DOC_SERVER_KEY_REFUSED: "Удалённый сервер {endpoint}: отвечает, но не принимает ключ API.",
    Code.FIX_SERVER_KEY: "Задайте в DOTS_DESKTOP_API_KEY (или --api-key) ключ сервера.",
    Code.DOC_SERVER_HTTP: "Удалённый сервер {endpoint}: ответил HTTP {status}.",
    Code.DOC_KEY_ACCEPTED: "ключ принят",
    Code.DOC_NO_KEY_NEEDED: "ключ не нужен",
    Code.DOC_SERVER_NO_MODEL: "Удалённый сервер {endpoint}: отвечает, но не обслуживает ни одной модели.",
    Code.DOC_SERVER_MODEL_MISSING: "Удалённый сервер {endpoint}: не обслуживает {model} (обслуживает {models:join:, }).",
    Code.FIX_SERVER_MODEL: "Задайте в DOTS_DESKTOP_MODEL одну из обслуживаемых моделей или не задавайте её.",
    Code.DOC_MANAGED_READY: "Модель в контейнере {profile}: может работать здесь.",
    Code.DOC_MANAGED_RUNNING: "Модель в контейнере: контейнер {container} обслуживает {model} на порту {port}.",
    Code.DOC_MANAGED_BLOCKED: "Модель в контейнере {profile}: здесь работать не может.",
    Code.DOC_PRE_GPU: "GPU NVIDIA: {name}, свободно {free_gib:.1f} из {total_gib:.1f} ГиБ.",
    Code.DOC_PRE_GPU_REMOTE: "Docker работает на {host}: его GPU проверяется пробным контейнером там.",
    Code.DOC_PRE_DOCKER: "Docker {version} запущен.",
    Code.DOC_PRE_CONTAINER_GPU: "Контейнеры могут использовать GPU.",
    Code.DOC_PRE_CONTAINER_GPU_UNPROBED: "Получат ли контейнеры GPU, станет видно при первом запуске (здесь нет образа для пробы).",
    Code.DOC_PRE_FIT: "Память: {verdict}",
    Code.DOC_PROFILE_BROKEN: "Файл профиля: {problem}",
    Code.DOC_CAN_READ: "Читать страницы здесь можно так: {engines:join:, }.",
    Code.DOC_NONE_CAN_READ: "Здесь страницы читать нечем.",
    Code.FIX_NONE_CAN_READ: "Исправьте одну из строк выше; встроенному движку не нужно ничего, кроме этого приложения.",
    # Settings: Test connection (ui/widgets/connectiontest.py)
    Code.SETTINGS_TEST_CONNECTION: "Проверить соединение",
    Code.SETTINGS_TESTING: "Соединяюсь…",
    Code.SETTINGS_NO_ADDRESS: "Сначала введите адрес сервера.",
    Code.SETTINGS_TEST_OK: "Соединение за {ms} мс: {model}, длина контекста {context} токенов.",
    Code.SETTINGS_TEST_OK_NO_CONTEXT: "Соединение за {ms} мс: {model} (сервер не сообщает длину контекста).",
}
