<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru_RU" sourcelanguage="en_US">
  <context>
    <name>ChatPanel</name>
    <message>
      <source>About: the selected region (%1 × %2 px)</source>
      <translation>О чём: выделенная область (%1 × %2 пикс.)</translation>
    </message>
    <message>
      <source>About: the whole page</source>
      <translation>О чём: вся страница</translation>
    </message>
    <message>
      <source>Answer stopped.</source>
      <translation>Ответ остановлен.</translation>
    </message>
    <message>
      <source>Ask about the selected region… (Ctrl+Enter to send)</source>
      <translation>Спросите о выделенной области… (Ctrl+Enter — отправить)</translation>
    </message>
    <message>
      <source>Ask about the whole page again</source>
      <translation>Снова спрашивать о всей странице</translation>
    </message>
    <message>
      <source>Ask about this page… (Ctrl+Enter to send)</source>
      <translation>Спросите об этой странице… (Ctrl+Enter — отправить)</translation>
    </message>
    <message>
      <source>Conversation</source>
      <translation>Разговор</translation>
    </message>
    <message>
      <source>Copy answer</source>
      <translation>Копировать ответ</translation>
    </message>
    <message>
      <source>Forget this document's conversation and start again</source>
      <translation>Забыть разговор об этом документе и начать заново</translation>
    </message>
    <message>
      <source>Model</source>
      <translation>Модель</translation>
    </message>
    <message>
      <source>New chat</source>
      <translation>Новый чат</translation>
    </message>
    <message>
      <source>Question</source>
      <translation>Вопрос</translation>
    </message>
    <message>
      <source>Send</source>
      <translation>Отправить</translation>
    </message>
    <message>
      <source>Stop</source>
      <translation>Остановить</translation>
    </message>
    <message>
      <source>Whole page</source>
      <translation>Вся страница</translation>
    </message>
    <message>
      <source>You</source>
      <translation>Вы</translation>
    </message>
  </context>
  <context>
    <name>DesktopApp</name>
    <message>
      <source>Could not save: %1</source>
      <translation>Не удалось сохранить: %1</translation>
    </message>
    <message>
      <source>Excel tables (*.xlsx)</source>
      <translation>Таблицы Excel (*.xlsx)</translation>
    </message>
    <message>
      <source>Export document</source>
      <translation>Экспорт документа</translation>
    </message>
    <message>
      <source>JSON (*.json)</source>
      <translation>JSON (*.json)</translation>
    </message>
    <message>
      <source>Managed model</source>
      <translation>Управляемая модель</translation>
    </message>
    <message>
      <source>Markdown (*.md)</source>
      <translation>Markdown (*.md)</translation>
    </message>
    <message>
      <source>No engine</source>
      <translation>Нет движка</translation>
    </message>
    <message>
      <source>No engine is ready.</source>
      <translation>Ни один движок не готов.</translation>
    </message>
    <message>
      <source>No text was found.</source>
      <translation>Текст не найден.</translation>
    </message>
    <message>
      <source>Open a document first.</source>
      <translation>Сначала откройте документ.</translation>
    </message>
    <message>
      <source>Pages will be read by %1.</source>
      <translation>Страницы распознает %1.</translation>
    </message>
    <message>
      <source>Pages will be read by the built-in CPU engine on this computer (no GPU needed).</source>
      <translation>Страницы распознает встроенный движок на этом компьютере (GPU не нужна).</translation>
    </message>
    <message>
      <source>Plain text (*.txt)</source>
      <translation>Простой текст (*.txt)</translation>
    </message>
    <message>
      <source>Preparing the engine…</source>
      <translation>Подготовка движка…</translation>
    </message>
    <message>
      <source>Screen region</source>
      <translation>Область экрана</translation>
    </message>
    <message>
      <source>Start the model from the model panel.</source>
      <translation>Запустите модель на панели модели.</translation>
    </message>
    <message>
      <source>Still running in the tray. Quit from its menu.</source>
      <translation>Программа работает в трее. Выйти можно из его меню.</translation>
    </message>
    <message>
      <source>Text copied</source>
      <translation>Текст скопирован</translation>
    </message>
    <message>
      <source>The clipboard holds no image or file to read.</source>
      <translation>В буфере обмена нет изображения или файла.</translation>
    </message>
    <message>
      <source>The clipboard holds no image to read.</source>
      <translation>В буфере обмена нет изображения.</translation>
    </message>
    <message>
      <source>The current engine cannot chat about pages. Use a vision-language model (for example Qwen3-VL) on a server.</source>
      <translation>Текущий движок не умеет обсуждать страницы. Используйте визуально-языковую модель (например, Qwen3-VL) на сервере.</translation>
    </message>
    <message>
      <source>The language changes fully after a restart.</source>
      <translation>Язык полностью сменится после перезапуска.</translation>
    </message>
    <message>
      <source>Web page (*.html)</source>
      <translation>Веб-страница (*.html)</translation>
    </message>
    <message>
      <source>failed</source>
      <translation>ошибка</translation>
    </message>
    <message>
      <source>not running</source>
      <translation>не запущен</translation>
    </message>
    <message>
      <source>reading</source>
      <translation>распознаёт</translation>
    </message>
    <message>
      <source>ready</source>
      <translation>готов</translation>
    </message>
    <message>
      <source>starting…</source>
      <translation>запускается…</translation>
    </message>
  </context>
  <context>
    <name>DocumentsPanel</name>
    <message>
      <source>Documents</source>
      <translation>Документы</translation>
    </message>
    <message>
      <source>Pages</source>
      <translation>Страницы</translation>
    </message>
    <message>
      <source>done</source>
      <translation>готово</translation>
    </message>
    <message>
      <source>failed</source>
      <translation>ошибка</translation>
    </message>
    <message>
      <source>not read yet</source>
      <translation>не распознан</translation>
    </message>
    <message>
      <source>opening…</source>
      <translation>открывается…</translation>
    </message>
    <message>
      <source>pages: %1</source>
      <translation>страниц: %1</translation>
    </message>
    <message>
      <source>partial</source>
      <translation>частично</translation>
    </message>
    <message>
      <source>queued</source>
      <translation>в очереди</translation>
    </message>
    <message>
      <source>reading…</source>
      <translation>распознаётся…</translation>
    </message>
  </context>
  <context>
    <name>DropZone</name>
    <message>
      <source>Drop scans, photos or PDFs here, or paste with Ctrl+V</source>
      <translation>Перетащите сюда сканы, фото или PDF либо вставьте через Ctrl+V</translation>
    </message>
    <message>
      <source>Tables can be copied into a spreadsheet; chat asks about the page.</source>
      <translation>Таблицы копируются в электронную таблицу, в чате можно спросить о странице.</translation>
    </message>
  </context>
  <context>
    <name>ErrorText</name>
    <message>
      <source>%1 answered /v1/models with something that is not a model list.</source>
      <translation>%1 ответил на /v1/models не списком моделей.</translation>
    </message>
    <message>
      <source>%1 cannot chat about pages.</source>
      <translation>%1 не умеет обсуждать страницы.</translation>
    </message>
    <message>
      <source>%1: not a regular file (a pipe, socket or device).</source>
      <translation>%1: это не обычный файл (канал, сокет или устройство).</translation>
    </message>
    <message>
      <source>%1: not an image or PDF this app reads.</source>
      <translation>%1: это не изображение и не PDF, которые читает приложение.</translation>
    </message>
    <message>
      <source>%1: page %2 cannot be read (%3).</source>
      <translation>%1: не удаётся прочитать страницу %2 (%3).</translation>
    </message>
    <message>
      <source>%1: the PDF has no pages.</source>
      <translation>%1: в PDF нет страниц.</translation>
    </message>
    <message>
      <source>%1: the PDF is damaged or incomplete (%2).</source>
      <translation>%1: PDF повреждён или неполон (%2).</translation>
    </message>
    <message>
      <source>%1: the PDF is protected by a password.</source>
      <translation>%1: PDF защищён паролем.</translation>
    </message>
    <message>
      <source>%1: the file cannot be read (%2).</source>
      <translation>%1: не удаётся прочитать файл (%2).</translation>
    </message>
    <message>
      <source>%1: the file does not exist.</source>
      <translation>%1: файл не найден.</translation>
    </message>
    <message>
      <source>%1: the file is empty.</source>
      <translation>%1: файл пуст.</translation>
    </message>
    <message>
      <source>%1: the image has %2 pixels, more than the %3 MP limit.</source>
      <translation>%1: в изображении %2 пикселей, больше предела в %3 Мп.</translation>
    </message>
    <message>
      <source>%1: the image has no pixels.</source>
      <translation>%1: в изображении нет пикселей.</translation>
    </message>
    <message>
      <source>%1: the image has too many pixels, more than the %2 MP limit.</source>
      <translation>%1: в изображении слишком много пикселей, больше предела в %2 Мп.</translation>
    </message>
    <message>
      <source>%1: the image is damaged or truncated (%2).</source>
      <translation>%1: изображение повреждено или обрезано (%2).</translation>
    </message>
    <message>
      <source>%1: the password is wrong.</source>
      <translation>%1: неверный пароль.</translation>
    </message>
    <message>
      <source>%1: there is no data.</source>
      <translation>%1: данных нет.</translation>
    </message>
    <message>
      <source>%1: this is a folder, not a file.</source>
      <translation>%1: это папка, а не файл.</translation>
    </message>
    <message>
      <source>Check it and try again.</source>
      <translation>Проверьте его и попробуйте снова.</translation>
    </message>
    <message>
      <source>Check its installation and language packs.</source>
      <translation>Проверьте его установку и языковые пакеты.</translation>
    </message>
    <message>
      <source>Check that it exists and you may read it.</source>
      <translation>Проверьте, что он существует и у вас есть право его читать.</translation>
    </message>
    <message>
      <source>Crop it into shorter pieces and read those.</source>
      <translation>Разрежьте её на более короткие части и распознайте их.</translation>
    </message>
    <message>
      <source>Enter its password to read it.</source>
      <translation>Введите пароль, чтобы прочитать его.</translation>
    </message>
    <message>
      <source>Leave the model name empty to use the served one, or pick one of those.</source>
      <translation>Оставьте имя модели пустым, чтобы взять ту, что на сервере, или выберите одну из перечисленных.</translation>
    </message>
    <message>
      <source>Lower --max-tokens or restart the model with a larger --max-model-len.</source>
      <translation>Уменьшите --max-tokens или перезапустите модель с бо́льшим --max-model-len.</translation>
    </message>
    <message>
      <source>No OCR engine is configured.</source>
      <translation>Движок распознавания не настроен.</translation>
    </message>
    <message>
      <source>No OCR server answers at %1.</source>
      <translation>По адресу %1 не отвечает сервер распознавания.</translation>
    </message>
    <message>
      <source>Open Settings and choose one.</source>
      <translation>Откройте «Настройки» и выберите его.</translation>
    </message>
    <message>
      <source>Open it in a PDF viewer and save or print it to a new PDF.</source>
      <translation>Откройте его в программе просмотра PDF и сохраните или напечатайте в новый PDF.</translation>
    </message>
    <message>
      <source>Open it in an image viewer and save it again.</source>
      <translation>Откройте его в программе просмотра изображений и сохраните заново.</translation>
    </message>
    <message>
      <source>Reading a region needs a region: draw a box on the page first.</source>
      <translation>Чтобы распознать область, её нужно выделить: сначала обведите рамку на странице.</translation>
    </message>
    <message>
      <source>Restart the model with a larger --max-model-len.</source>
      <translation>Перезапустите модель с бо́льшим --max-model-len.</translation>
    </message>
    <message>
      <source>Save the pages to a file and open that.</source>
      <translation>Сохраните страницы в файл и откройте его.</translation>
    </message>
    <message>
      <source>Scale it down or crop it before reading it.</source>
      <translation>Уменьшите или обрежьте его перед распознаванием.</translation>
    </message>
    <message>
      <source>Set the key with --api-key or DOTS_DESKTOP_API_KEY (Settings in the window).</source>
      <translation>Задайте ключ в «Настройках» окна (или через --api-key либо DOTS_DESKTOP_API_KEY).</translation>
    </message>
    <message>
      <source>Start a chat-capable model (dots.ocr or Qwen3-VL) from the Model panel.</source>
      <translation>Запустите модель, умеющую вести чат (dots.ocr или Qwen3-VL), на панели «Модель».</translation>
    </message>
    <message>
      <source>Start a model server or container to ask questions about a page.</source>
      <translation>Чтобы задавать вопросы о странице, запустите сервер модели или контейнер.</translation>
    </message>
    <message>
      <source>Start the model from the Model panel or check the address.</source>
      <translation>Запустите модель на панели «Модель» или проверьте адрес.</translation>
    </message>
    <message>
      <source>Tesseract has no language pack for %1.</source>
      <translation>У Tesseract нет языкового пакета для %1.</translation>
    </message>
    <message>
      <source>The OCR server at %1 did not answer in time.</source>
      <translation>Сервер распознавания по адресу %1 не ответил вовремя.</translation>
    </message>
    <message>
      <source>The OCR server at %1 needs an API key.</source>
      <translation>Серверу распознавания по адресу %1 нужен ключ API.</translation>
    </message>
    <message>
      <source>The OCR server at %1 rejected the API key.</source>
      <translation>Сервер распознавания по адресу %1 отклонил ключ API.</translation>
    </message>
    <message>
      <source>The OCR server did not start answering within %1 s.</source>
      <translation>Сервер распознавания не начал отвечать за %1 с.</translation>
    </message>
    <message>
      <source>The OCR server failed (HTTP %1):</source>
      <translation>Сервер распознавания дал сбой (HTTP %1):</translation>
    </message>
    <message>
      <source>The OCR server went quiet for %1 s while reading a page.</source>
      <translation>Сервер распознавания молчал %1 с во время чтения страницы.</translation>
    </message>
    <message>
      <source>The built-in CPU engine reads pages but cannot chat about them.</source>
      <translation>Встроенный движок на CPU распознаёт страницы, но не умеет обсуждать их.</translation>
    </message>
    <message>
      <source>The connection to the OCR server at %1 broke while reading (%2); it may have crashed or restarted.</source>
      <translation>Соединение с сервером распознавания по адресу %1 оборвалось во время чтения (%2); возможно, он упал или перезапустился.</translation>
    </message>
    <message>
      <source>The image has no pixels (%1).</source>
      <translation>В изображении нет пикселей (%1).</translation>
    </message>
    <message>
      <source>The page does not fit the server's %1-token context even after fitting it</source>
      <translation>Страница не помещается в контекст сервера (%1 токенов) даже после подгонки</translation>
    </message>
    <message>
      <source>The page does not fit the server's context even after fitting it</source>
      <translation>Страница не помещается в контекст сервера даже после подгонки</translation>
    </message>
    <message>
      <source>The page is %1 pixels, an aspect ratio above %2.</source>
      <translation>Размер страницы %1 пикселей, соотношение сторон больше %2.</translation>
    </message>
    <message>
      <source>The server at %1 lists no models yet.</source>
      <translation>Сервер по адресу %1 пока не предлагает ни одной модели.</translation>
    </message>
    <message>
      <source>The server does not serve a model named %1; it serves: %2.</source>
      <translation>На сервере нет модели с именем %1; есть: %2.</translation>
    </message>
    <message>
      <source>The server failed while writing:</source>
      <translation>Сервер дал сбой во время ответа:</translation>
    </message>
    <message>
      <source>The server refused the request (HTTP %1):</source>
      <translation>Сервер отклонил запрос (HTTP %1):</translation>
    </message>
    <message>
      <source>The server says:</source>
      <translation>Сервер сообщает:</translation>
    </message>
    <message>
      <source>The server sent a malformed stream event</source>
      <translation>Сервер прислал повреждённое событие потока</translation>
    </message>
    <message>
      <source>The server's context of %1 tokens cannot hold a page image and an answer.</source>
      <translation>Контекст сервера в %1 токенов не вмещает изображение страницы и ответ.</translation>
    </message>
    <message>
      <source>Use PNG, JPEG, WebP, BMP, GIF, TIFF or PDF.</source>
      <translation>Используйте PNG, JPEG, WebP, BMP, GIF, TIFF или PDF.</translation>
    </message>
  </context>
  <context>
    <name>GpuGauge</name>
    <message>
      <source>GPU memory</source>
      <translation>Память GPU</translation>
    </message>
    <message>
      <source>No NVIDIA GPU</source>
      <translation>Нет GPU NVIDIA</translation>
    </message>
  </context>
  <context>
    <name>MainWindow</name>
    <message>
      <source>Batch progress</source>
      <translation>Ход обработки</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Отменить</translation>
    </message>
    <message>
      <source>Chat</source>
      <translation>Чат</translation>
    </message>
    <message>
      <source>Engine and model state</source>
      <translation>Движок и состояние модели</translation>
    </message>
    <message>
      <source>Export</source>
      <translation>Экспорт</translation>
    </message>
    <message>
      <source>Fit page</source>
      <translation>По размеру окна</translation>
    </message>
    <message>
      <source>Images and PDFs (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.tif *.tiff *.pdf);;All files (*)</source>
      <translation>Изображения и PDF (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.tif *.tiff *.pdf);;Все файлы (*)</translation>
    </message>
    <message>
      <source>Layout + text</source>
      <translation>Разметка + текст</translation>
    </message>
    <message>
      <source>Layout only</source>
      <translation>Только разметка</translation>
    </message>
    <message>
      <source>Main</source>
      <translation>Основная панель</translation>
    </message>
    <message>
      <source>No engine</source>
      <translation>Нет движка</translation>
    </message>
    <message>
      <source>OCR mode</source>
      <translation>Режим распознавания</translation>
    </message>
    <message>
      <source>Only local files can be read; links are not downloaded: %1</source>
      <translation>Читаются только локальные файлы, ссылки не скачиваются: %1</translation>
    </message>
    <message>
      <source>Open</source>
      <translation>Открыть</translation>
    </message>
    <message>
      <source>Open scans, photos or PDFs</source>
      <translation>Открыть сканы, фото или PDF</translation>
    </message>
    <message>
      <source>Page</source>
      <translation>Страница</translation>
    </message>
    <message>
      <source>Page progress</source>
      <translation>Ход распознавания страницы</translation>
    </message>
    <message>
      <source>Paste</source>
      <translation>Вставить</translation>
    </message>
    <message>
      <source>Plain text</source>
      <translation>Простой текст</translation>
    </message>
    <message>
      <source>Read a region</source>
      <translation>Распознать область</translation>
    </message>
    <message>
      <source>Read page again</source>
      <translation>Распознать заново</translation>
    </message>
    <message>
      <source>Reading pages: %1 of %2 done</source>
      <translation>Распознавание: готово %1 из %2</translation>
    </message>
    <message>
      <source>Selected region</source>
      <translation>Выбранная область</translation>
    </message>
    <message>
      <source>Settings</source>
      <translation>Настройки</translation>
    </message>
    <message>
      <source>Tables</source>
      <translation>Таблицы</translation>
    </message>
    <message>
      <source>Text</source>
      <translation>Текст</translation>
    </message>
    <message>
      <source>Text only</source>
      <translation>Только текст</translation>
    </message>
    <message>
      <source>The clipboard holds no image or file to read.</source>
      <translation>В буфере обмена нет изображения или файла.</translation>
    </message>
    <message>
      <source>The engine reading your pages; click to manage the model</source>
      <translation>Движок, который распознаёт страницы; нажмите, чтобы управлять моделью</translation>
    </message>
    <message>
      <source>What to read from each page</source>
      <translation>Что распознавать на каждой странице</translation>
    </message>
    <message>
      <source>Zoom in</source>
      <translation>Увеличить</translation>
    </message>
    <message>
      <source>Zoom out</source>
      <translation>Уменьшить</translation>
    </message>
  </context>
  <context>
    <name>ModelPanel</name>
    <message>
      <source>%1 of %2 (%3%)</source>
      <translation>%1 из %2 (%3%)</translation>
    </message>
    <message>
      <source>Automatic (server if configured, else built-in)</source>
      <translation>Автоматически (сервер, если задан, иначе встроенный)</translation>
    </message>
    <message>
      <source>Built-in CPU engine</source>
      <translation>Встроенный движок (CPU)</translation>
    </message>
    <message>
      <source>Container log</source>
      <translation>Журнал контейнера</translation>
    </message>
    <message>
      <source>Engine</source>
      <translation>Движок</translation>
    </message>
    <message>
      <source>Engine mode</source>
      <translation>Режим движка</translation>
    </message>
    <message>
      <source>GPU memory</source>
      <translation>Память GPU</translation>
    </message>
    <message>
      <source>Managed container on this GPU</source>
      <translation>Управляемый контейнер на этой GPU</translation>
    </message>
    <message>
      <source>Model</source>
      <translation>Модель</translation>
    </message>
    <message>
      <source>Model profile</source>
      <translation>Профиль модели</translation>
    </message>
    <message>
      <source>No NVIDIA GPU: a managed model cannot run here. Use a remote server or the built-in engine.</source>
      <translation>Нет GPU NVIDIA: управляемую модель здесь не запустить. Используйте удалённый сервер или встроенный движок.</translation>
    </message>
    <message>
      <source>No managed model yet.</source>
      <translation>Управляемая модель ещё не запускалась.</translation>
    </message>
    <message>
      <source>Remote server</source>
      <translation>Удалённый сервер</translation>
    </message>
    <message>
      <source>Restart</source>
      <translation>Перезапустить</translation>
    </message>
    <message>
      <source>Start</source>
      <translation>Запустить</translation>
    </message>
    <message>
      <source>State</source>
      <translation>Состояние</translation>
    </message>
    <message>
      <source>Stop</source>
      <translation>Остановить</translation>
    </message>
    <message>
      <source>Switch</source>
      <translation>Переключить</translation>
    </message>
    <message>
      <source>Use this engine</source>
      <translation>Использовать этот движок</translation>
    </message>
  </context>
  <context>
    <name>ModelRuntime</name>
    <message>
      <source>%1 needs about %2, but only %3 is free (%4 short).</source>
      <translation>Для %1 нужно около %2, а свободно только %3 (не хватает %4).</translation>
    </message>
    <message>
      <source>Accept the model's licence on huggingface.co and save your token in Settings.</source>
      <translation>Примите лицензию модели на huggingface.co и сохраните свой токен в настройках.</translation>
    </message>
    <message>
      <source>Check hf_model_id in the profile.</source>
      <translation>Проверьте hf_model_id в профиле.</translation>
    </message>
    <message>
      <source>Choose a smaller profile, or close programs using the GPU.</source>
      <translation>Выберите профиль поменьше или закройте программы, использующие GPU.</translation>
    </message>
    <message>
      <source>Close programs using the GPU, lower --max-model-len / --max-num-seqs, or add --enforce-eager.</source>
      <translation>Закройте программы, использующие GPU, уменьшите --max-model-len / --max-num-seqs или добавьте --enforce-eager.</translation>
    </message>
    <message>
      <source>Close programs using the GPU, or choose a smaller profile.</source>
      <translation>Закройте программы, использующие GPU, или выберите профиль поменьше.</translation>
    </message>
    <message>
      <source>Close programs using the GPU, or lower --gpu-memory-utilization in the profile.</source>
      <translation>Закройте программы, использующие GPU, или уменьшите --gpu-memory-utilization в профиле.</translation>
    </message>
    <message>
      <source>Close programs, or give Docker more memory (Docker Desktop: Settings &gt; Resources).</source>
      <translation>Закройте программы или выделите Docker больше памяти (Docker Desktop: Settings &gt; Resources).</translation>
    </message>
    <message>
      <source>Connect to the internet once so the image can be downloaded (docker pull).</source>
      <translation>Подключитесь к интернету один раз, чтобы скачать образ (docker pull).</translation>
    </message>
    <message>
      <source>Connect to the internet once to download the model.</source>
      <translation>Подключитесь к интернету один раз, чтобы скачать модель.</translation>
    </message>
    <message>
      <source>Docker cannot give containers the GPU (NVIDIA Container Toolkit missing).</source>
      <translation>Docker не может предоставить контейнерам GPU (не установлен NVIDIA Container Toolkit).</translation>
    </message>
    <message>
      <source>Docker stopped responding.</source>
      <translation>Docker перестал отвечать.</translation>
    </message>
    <message>
      <source>Free disk space where Docker keeps its volumes, then start again.</source>
      <translation>Освободите место на диске, где Docker хранит тома, и запустите снова.</translation>
    </message>
    <message>
      <source>GPU memory use lowered to %1.</source>
      <translation>Доля памяти GPU снижена до %1.</translation>
    </message>
    <message>
      <source>Hugging Face does not know this model id.</source>
      <translation>Hugging Face не знает такой идентификатор модели.</translation>
    </message>
    <message>
      <source>Hugging Face refused the download: the model is gated or the token is missing.</source>
      <translation>Hugging Face отказал в загрузке: доступ к модели ограничен или нет токена.</translation>
    </message>
    <message>
      <source>Install the NVIDIA Container Toolkit and restart Docker (Windows: update Docker Desktop and the NVIDIA driver).</source>
      <translation>Установите NVIDIA Container Toolkit и перезапустите Docker (Windows: обновите Docker Desktop и драйвер NVIDIA).</translation>
    </message>
    <message>
      <source>Less GPU memory is free than --gpu-memory-utilization asks for.</source>
      <translation>Свободной памяти GPU меньше, чем требует --gpu-memory-utilization.</translation>
    </message>
    <message>
      <source>Max length lowered to %1 tokens.</source>
      <translation>Максимальная длина снижена до %1 токенов.</translation>
    </message>
    <message>
      <source>Needs ~%1, %2 free: does not fit. Close programs using the GPU or choose a smaller profile.</source>
      <translation>Нужно ~%1, свободно %2: не помещается. Закройте программы, использующие GPU, или выберите профиль поменьше.</translation>
    </message>
    <message>
      <source>Needs ~%1, %2 free: fits.</source>
      <translation>Нужно ~%1, свободно %2: помещается.</translation>
    </message>
    <message>
      <source>Nothing was left for the KV cache after loading the model.</source>
      <translation>После загрузки модели для KV-кэша не осталось памяти.</translation>
    </message>
    <message>
      <source>Raise --gpu-memory-utilization, or choose a smaller or FP8 profile.</source>
      <translation>Увеличьте --gpu-memory-utilization или выберите профиль поменьше или FP8.</translation>
    </message>
    <message>
      <source>Retry with GPU memory use %1</source>
      <translation>Повторить с долей памяти GPU %1</translation>
    </message>
    <message>
      <source>Retry with max length %1</source>
      <translation>Повторить с максимальной длиной %1</translation>
    </message>
    <message>
      <source>Retry with max length %1, without CUDA graphs</source>
      <translation>Повторить с максимальной длиной %1, без CUDA-графов</translation>
    </message>
    <message>
      <source>See the model log below for details.</source>
      <translation>Подробности — в журнале модели ниже.</translation>
    </message>
    <message>
      <source>Start Docker again; the app reconnects when you start the model.</source>
      <translation>Снова запустите Docker; приложение переподключится при запуске модели.</translation>
    </message>
    <message>
      <source>Start with --max-model-len %1 (or raise --gpu-memory-utilization).</source>
      <translation>Запустите с --max-model-len %1 (или увеличьте --gpu-memory-utilization).</translation>
    </message>
    <message>
      <source>Stop the other server or choose another port in Settings.</source>
      <translation>Остановите другой сервер или выберите другой порт в настройках.</translation>
    </message>
    <message>
      <source>The GPU is newer than the CUDA build in this vLLM image.</source>
      <translation>GPU новее, чем сборка CUDA в этом образе vLLM.</translation>
    </message>
    <message>
      <source>The GPU ran out of memory while the model started.</source>
      <translation>При запуске модели закончилась память GPU.</translation>
    </message>
    <message>
      <source>The KV cache cannot hold one full-length request; vLLM estimates %1 tokens fit.</source>
      <translation>KV-кэш не вмещает ни одного запроса полной длины; по оценке vLLM помещается %1 токенов.</translation>
    </message>
    <message>
      <source>The computer ran out of RAM and the system killed the model server.</source>
      <translation>На компьютере закончилась оперативная память, и система завершила сервер модели.</translation>
    </message>
    <message>
      <source>The disk is full (model weights need several GB).</source>
      <translation>Диск заполнен (весам модели нужно несколько ГБ).</translation>
    </message>
    <message>
      <source>The model image is not on this computer and the registry cannot be reached.</source>
      <translation>Образа модели нет на этом компьютере, а реестр недоступен.</translation>
    </message>
    <message>
      <source>The model runtime was not started.</source>
      <translation>Среда запуска модели не была запущена.</translation>
    </message>
    <message>
      <source>The model weights are not in the cache and Hugging Face cannot be reached.</source>
      <translation>Весов модели нет в кэше, а Hugging Face недоступен.</translation>
    </message>
    <message>
      <source>The port is already in use by another program.</source>
      <translation>Порт уже занят другой программой.</translation>
    </message>
    <message>
      <source>Try again</source>
      <translation>Попробовать снова</translation>
    </message>
    <message>
      <source>Use an image built with CUDA 12.8 or newer (and a driver &gt;= 570) for RTX 50xx cards.</source>
      <translation>Для карт RTX 50xx используйте образ, собранный с CUDA 12.8 или новее (и драйвер &gt;= 570).</translation>
    </message>
    <message>
      <source>allocating the KV cache</source>
      <translation>выделение KV-кэша</translation>
    </message>
    <message>
      <source>capturing CUDA graphs</source>
      <translation>захват CUDA-графов</translation>
    </message>
    <message>
      <source>downloading the image</source>
      <translation>загрузка образа</translation>
    </message>
    <message>
      <source>failed</source>
      <translation>ошибка</translation>
    </message>
    <message>
      <source>loading weights</source>
      <translation>загрузка весов</translation>
    </message>
    <message>
      <source>no model container</source>
      <translation>контейнера модели нет</translation>
    </message>
    <message>
      <source>profiling memory</source>
      <translation>оценка памяти</translation>
    </message>
    <message>
      <source>ready</source>
      <translation>готов</translation>
    </message>
    <message>
      <source>starting</source>
      <translation>запускается</translation>
    </message>
    <message>
      <source>starting the API server</source>
      <translation>запуск API-сервера</translation>
    </message>
    <message>
      <source>starting the container</source>
      <translation>запуск контейнера</translation>
    </message>
    <message>
      <source>stopped</source>
      <translation>остановлен</translation>
    </message>
    <message>
      <source>stopping</source>
      <translation>останавливается</translation>
    </message>
  </context>
  <context>
    <name>PageReason</name>
    <message>
      <source>A repetition loop was cut</source>
      <translation>Зацикливание прервано</translation>
    </message>
    <message>
      <source>A repetition loop was stopped after %1 characters</source>
      <translation>Зацикливание остановлено после %1 символов</translation>
    </message>
    <message>
      <source>An earlier page could not be read</source>
      <translation>Не удалось прочитать одну из предыдущих страниц</translation>
    </message>
    <message>
      <source>Cancelled</source>
      <translation>Отменено</translation>
    </message>
    <message>
      <source>Repeated blocks removed (the model looped): %1</source>
      <translation>Удалено повторённых блоков (модель зациклилась): %1</translation>
    </message>
    <message>
      <source>The answer hit the token limit before any block</source>
      <translation>Ответ упёрся в лимит токенов до первого блока</translation>
    </message>
    <message>
      <source>The answer hit the token limit; complete blocks kept: %1</source>
      <translation>Ответ упёрся в лимит токенов; сохранено полных блоков: %1</translation>
    </message>
    <message>
      <source>The answer hit the token limit; complete blocks kept: %1, and the cut-off last one</source>
      <translation>Ответ упёрся в лимит токенов; сохранено полных блоков: %1 и обрезанный последний</translation>
    </message>
    <message>
      <source>The answer stopped early (%1)</source>
      <translation>Ответ остановился раньше времени (%1)</translation>
    </message>
    <message>
      <source>The answer was cut at the token limit</source>
      <translation>Ответ обрезан на лимите токенов</translation>
    </message>
    <message>
      <source>The engine ended without a result</source>
      <translation>Движок завершил работу без результата</translation>
    </message>
    <message>
      <source>The model returned an empty answer</source>
      <translation>Модель вернула пустой ответ</translation>
    </message>
    <message>
      <source>The model's JSON was malformed; blocks recovered: %1</source>
      <translation>JSON модели повреждён; восстановлено блоков: %1</translation>
    </message>
    <message>
      <source>The model's JSON was malformed; blocks recovered: %1, and the cut-off last one</source>
      <translation>JSON модели повреждён; восстановлено блоков: %1 и обрезанный последний</translation>
    </message>
    <message>
      <source>The model's answer contains no readable layout blocks</source>
      <translation>В ответе модели нет читаемых блоков разметки</translation>
    </message>
    <message>
      <source>The model's answer has no block with a usable box</source>
      <translation>В ответе модели нет ни одного блока с годной рамкой</translation>
    </message>
    <message>
      <source>The page could not be rendered</source>
      <translation>Страницу не удалось отрисовать</translation>
    </message>
    <message>
      <source>answer limited to %1 tokens (asked for %2)</source>
      <translation>ответ ограничен %1 токенами (запрошено %2)</translation>
    </message>
    <message>
      <source>blocks without a usable box left out: %1</source>
      <translation>пропущено блоков без годной рамки: %1</translation>
    </message>
    <message>
      <source>image reduced to %1 to fit the server's %2-token context</source>
      <translation>изображение уменьшено до %1, чтобы уместиться в контекст сервера на %2 токенов</translation>
    </message>
    <message>
      <source>re-reading failed:</source>
      <translation>перечитать не удалось:</translation>
    </message>
    <message>
      <source>read with Tesseract (%1)</source>
      <translation>прочитано Tesseract (%1)</translation>
    </message>
    <message>
      <source>the page was re-read as layout plus %1 regions</source>
      <translation>страница перечитана: разметка и %1 областей</translation>
    </message>
    <message>
      <source>the same %1 block was repeated %2 times</source>
      <translation>один и тот же блок %1 повторён %2 раз</translation>
    </message>
    <message>
      <source>the text %1 repeated %2 times</source>
      <translation>текст %1 повторён %2 раз</translation>
    </message>
  </context>
  <context>
    <name>PageStatus</name>
    <message>
      <source>Failed.</source>
      <translation>Ошибка.</translation>
    </message>
    <message>
      <source>Not read yet.</source>
      <translation>Ещё не распознана.</translation>
    </message>
    <message>
      <source>Partly read.</source>
      <translation>Распознана частично.</translation>
    </message>
    <message>
      <source>Read completely.</source>
      <translation>Распознана полностью.</translation>
    </message>
    <message>
      <source>Reading this page…</source>
      <translation>Страница распознаётся…</translation>
    </message>
    <message>
      <source>Recovered after a problem.</source>
      <translation>Восстановлена после сбоя.</translation>
    </message>
  </context>
  <context>
    <name>PageView</name>
    <message>
      <source>Page with layout overlay</source>
      <translation>Страница с разметкой</translation>
    </message>
  </context>
  <context>
    <name>RegionOverlay</name>
    <message>
      <source>Drag a rectangle around the text to read. Esc cancels.</source>
      <translation>Обведите прямоугольником текст для распознавания. Esc — отмена.</translation>
    </message>
  </context>
  <context>
    <name>SettingsDialog</name>
    <message>
      <source>API key</source>
      <translation>Ключ API</translation>
    </message>
    <message>
      <source>Add or change model profiles (TOML files); they are read at start-up.</source>
      <translation>Добавьте или измените профили моделей (файлы TOML); они читаются при запуске.</translation>
    </message>
    <message>
      <source>Automatic (Latin and Chinese built in)</source>
      <translation>Автоматически (латиница и китайский встроены)</translation>
    </message>
    <message>
      <source>Automatic (server if configured, else built-in)</source>
      <translation>Автоматически (сервер, если задан, иначе встроенный)</translation>
    </message>
    <message>
      <source>Browse…</source>
      <translation>Обзор…</translation>
    </message>
    <message>
      <source>Built-in CPU engine</source>
      <translation>Встроенный движок (CPU)</translation>
    </message>
    <message>
      <source>Docker volume (default)</source>
      <translation>Том Docker (по умолчанию)</translation>
    </message>
    <message>
      <source>Engine</source>
      <translation>Движок</translation>
    </message>
    <message>
      <source>Hugging Face token</source>
      <translation>Токен Hugging Face</translation>
    </message>
    <message>
      <source>Keep the model running after quitting</source>
      <translation>Оставлять модель запущенной после выхода</translation>
    </message>
    <message>
      <source>Language</source>
      <translation>Язык</translation>
    </message>
    <message>
      <source>Managed container on this GPU</source>
      <translation>Управляемый контейнер на этой GPU</translation>
    </message>
    <message>
      <source>Model cache folder</source>
      <translation>Папка кэша моделей</translation>
    </message>
    <message>
      <source>Model profile</source>
      <translation>Профиль модели</translation>
    </message>
    <message>
      <source>No system keyring is available, so the API key and token are used only until you quit (they are never written to the settings file).</source>
      <translation>Системное хранилище ключей недоступно, поэтому API-ключ и токен действуют только до выхода из программы (в файл настроек они не записываются).</translation>
    </message>
    <message>
      <source>OCR language (built-in engine)</source>
      <translation>Язык распознавания (встроенный движок)</translation>
    </message>
    <message>
      <source>PDF resolution (DPI)</source>
      <translation>Разрешение PDF (DPI)</translation>
    </message>
    <message>
      <source>Pages at once</source>
      <translation>Страниц одновременно</translation>
    </message>
    <message>
      <source>Profiles folder…</source>
      <translation>Папка профилей…</translation>
    </message>
    <message>
      <source>Remote server</source>
      <translation>Удалённый сервер</translation>
    </message>
    <message>
      <source>Server address</source>
      <translation>Адрес сервера</translation>
    </message>
    <message>
      <source>Settings</source>
      <translation>Настройки</translation>
    </message>
    <message>
      <source>Show the tray icon (closing the window keeps the app running)</source>
      <translation>Значок в трее (закрытие окна не завершает программу)</translation>
    </message>
    <message>
      <source>The server address starts with http:// or https://.</source>
      <translation>Адрес сервера начинается с http:// или https://.</translation>
    </message>
    <message>
      <source>Which language the built-in CPU engine reads; more come with Tesseract.</source>
      <translation>Какой язык читает встроенный движок на процессоре; другие языки добавляет Tesseract.</translation>
    </message>
    <message>
      <source>only for gated models</source>
      <translation>только для моделей с ограниченным доступом</translation>
    </message>
    <message>
      <source>optional</source>
      <translation>необязательно</translation>
    </message>
  </context>
  <context>
    <name>TablesPanel</name>
    <message>
      <source>CSV (*.csv)</source>
      <translation>CSV (*.csv)</translation>
    </message>
    <message>
      <source>CSV…</source>
      <translation>В CSV…</translation>
    </message>
    <message>
      <source>Copied %1 rows × %2 columns: paste into a spreadsheet.</source>
      <translation>Скопировано строк: %1, столбцов: %2 — вставьте в таблицу.</translation>
    </message>
    <message>
      <source>Copy</source>
      <translation>Копировать</translation>
    </message>
    <message>
      <source>Copy the selection, or the whole table (Ctrl+Shift+C)</source>
      <translation>Копировать выделение или всю таблицу (Ctrl+Shift+C)</translation>
    </message>
    <message>
      <source>Could not save: %1</source>
      <translation>Не удалось сохранить: %1</translation>
    </message>
    <message>
      <source>Excel workbook (*.xlsx)</source>
      <translation>Книга Excel (*.xlsx)</translation>
    </message>
    <message>
      <source>Excel…</source>
      <translation>В Excel…</translation>
    </message>
    <message>
      <source>Export table</source>
      <translation>Экспорт таблицы</translation>
    </message>
    <message>
      <source>No tables on the pages read so far.</source>
      <translation>На уже распознанных страницах таблиц нет.</translation>
    </message>
    <message>
      <source>Page %1, table %2 (%3×%4)</source>
      <translation>Стр. %1, таблица %2 (%3×%4)</translation>
    </message>
    <message>
      <source>Saved %1</source>
      <translation>Сохранено: %1</translation>
    </message>
    <message>
      <source>Table</source>
      <translation>Таблица</translation>
    </message>
    <message>
      <source>Table cells</source>
      <translation>Ячейки таблицы</translation>
    </message>
  </context>
  <context>
    <name>TextView</name>
    <message>
      <source>Recognized text</source>
      <translation>Распознанный текст</translation>
    </message>
  </context>
  <context>
    <name>Tray</name>
    <message>
      <source>No NVIDIA GPU</source>
      <translation>Нет GPU NVIDIA</translation>
    </message>
    <message>
      <source>OCR a file…</source>
      <translation>Распознать файл…</translation>
    </message>
    <message>
      <source>OCR a screen region…</source>
      <translation>Распознать область экрана…</translation>
    </message>
    <message>
      <source>OCR the clipboard image</source>
      <translation>Распознать изображение из буфера</translation>
    </message>
    <message>
      <source>Quit</source>
      <translation>Выход</translation>
    </message>
    <message>
      <source>Show window</source>
      <translation>Показать окно</translation>
    </message>
    <message>
      <source>Start model</source>
      <translation>Запустить модель</translation>
    </message>
    <message>
      <source>Stop model</source>
      <translation>Остановить модель</translation>
    </message>
    <message>
      <source>Switch model</source>
      <translation>Сменить модель</translation>
    </message>
  </context>
  <context>
    <name>WindowController</name>
    <message>
      <source>%1: finished reading.</source>
      <translation>%1: распознавание завершено.</translation>
    </message>
    <message>
      <source>Cancelled %1 page(s).</source>
      <translation>Отменено страниц: %1.</translation>
    </message>
    <message>
      <source>Open a page first, then ask about it.</source>
      <translation>Сначала откройте страницу, затем задайте вопрос.</translation>
    </message>
    <message>
      <source>Pasted image</source>
      <translation>Вставленное изображение</translation>
    </message>
    <message>
      <source>Reading the selected region…</source>
      <translation>Распознаётся выбранная область…</translation>
    </message>
    <message>
      <source>Region read; its text is on the clipboard.</source>
      <translation>Область распознана, текст в буфере обмена.</translation>
    </message>
    <message>
      <source>Resuming %1 interrupted reading(s).</source>
      <translation>Продолжается прерванное чтение: %1.</translation>
    </message>
    <message>
      <source>Saved %1</source>
      <translation>Сохранено: %1</translation>
    </message>
    <message>
      <source>Skipped (not found or not a local file): %1</source>
      <translation>Пропущено (не найдено или не локальный файл): %1</translation>
    </message>
    <message>
      <source>This engine cannot read a single region.</source>
      <translation>Этот движок не умеет распознавать отдельную область.</translation>
    </message>
  </context>
</TS>
