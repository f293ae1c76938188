<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru_RU" sourcelanguage="en_US">
  <context>
    <name>AboutPanel</name>
    <message>
      <source>Copy versions</source>
      <translation>Копировать версии</translation>
    </message>
    <message>
      <source>Log folder</source>
      <translation>Папка журнала</translation>
    </message>
    <message>
      <source>Open log folder</source>
      <translation>Открыть папку журнала</translation>
    </message>
  </context>
  <context>
    <name>BlockMenu</name>
    <message>
      <source>Ask about this region</source>
      <translation>Спросить об этой области</translation>
    </message>
    <message>
      <source>Copy table</source>
      <translation>Копировать таблицу</translation>
    </message>
    <message>
      <source>Copy text</source>
      <translation>Копировать текст</translation>
    </message>
    <message>
      <source>Read again</source>
      <translation>Прочитать заново</translation>
    </message>
    <message>
      <source>Read this block's region once more</source>
      <translation>Прочитать область этого блока ещё раз</translation>
    </message>
    <message>
      <source>The block's text is on the clipboard.</source>
      <translation>Текст блока скопирован в буфер обмена.</translation>
    </message>
  </context>
  <context>
    <name>Category</name>
    <message>
      <source>Caption</source>
      <translation>Подпись</translation>
    </message>
    <message>
      <source>Footnote</source>
      <translation>Сноска</translation>
    </message>
    <message>
      <source>Formula</source>
      <translation>Формула</translation>
    </message>
    <message>
      <source>List item</source>
      <translation>Элемент списка</translation>
    </message>
    <message>
      <source>Page footer</source>
      <translation>Нижний колонтитул</translation>
    </message>
    <message>
      <source>Page header</source>
      <translation>Верхний колонтитул</translation>
    </message>
    <message>
      <source>Picture</source>
      <translation>Рисунок</translation>
    </message>
    <message>
      <source>Section header</source>
      <translation>Заголовок раздела</translation>
    </message>
    <message>
      <source>Table</source>
      <translation>Таблица</translation>
    </message>
    <message>
      <source>Text</source>
      <translation>Текст</translation>
    </message>
    <message>
      <source>Title</source>
      <translation>Заголовок</translation>
    </message>
  </context>
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
      <source>Copy chat</source>
      <translation>Копировать чат</translation>
    </message>
    <message>
      <source>Copy every question and answer as text</source>
      <translation>Скопировать все вопросы и ответы как текст</translation>
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
    <name>CopyNotice</name>
    <message>
      <source>Close</source>
      <translation>Закрыть</translation>
    </message>
    <message>
      <source>Put back what the clipboard held before</source>
      <translation>Вернуть в буфер обмена то, что в нём было</translation>
    </message>
    <message>
      <source>Undo</source>
      <translation>Отменить</translation>
    </message>
  </context>
  <context>
    <name>CrashDialog</name>
    <message>
      <source>Copied</source>
      <translation>Скопировано</translation>
    </message>
    <message>
      <source>Copy details</source>
      <translation>Копировать подробности</translation>
    </message>
    <message>
      <source>Dots Desktop hit an unexpected error; it keeps running, and the details are in its log.</source>
      <translation>В Dots Desktop произошла непредвиденная ошибка; программа продолжает работать, а подробности записаны в журнал.</translation>
    </message>
    <message>
      <source>Log folder: %1</source>
      <translation>Папка журнала: %1</translation>
    </message>
    <message>
      <source>Puts the error's traceback and the versions in use on the clipboard.</source>
      <translation>Копирует в буфер обмена трассировку ошибки и версии используемых библиотек.</translation>
    </message>
    <message>
      <source>Something went wrong</source>
      <translation>Что-то пошло не так</translation>
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
      <source>Searchable PDF (*.pdf)</source>
      <translation>PDF с текстовым слоем (*.pdf)</translation>
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
      <source>Text not copied</source>
      <translation>Текст не скопирован</translation>
    </message>
    <message>
      <source>The capture key could not be set here; bind `dots-desktop capture` instead.</source>
      <translation>Здесь не удалось назначить клавишу захвата; назначьте вместо неё команду `dots-desktop capture`.</translation>
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
      <source>Web page (*.html)</source>
      <translation>Веб-страница (*.html)</translation>
    </message>
    <message>
      <source>Word document (*.docx)</source>
      <translation>Документ Word (*.docx)</translation>
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
    <name>DocumentActions</name>
    <message>
      <source>%1 is no longer there; it cannot be read again.</source>
      <translation>%1 больше нет на месте; прочитать заново нельзя.</translation>
    </message>
    <message>
      <source>%1 is unchanged since it was read: showing that result (Read again to re-read).</source>
      <translation>%1 не изменился с прошлого чтения: показан тот результат (чтобы прочитать заново, выберите «Прочитать заново»).</translation>
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
      <source>Read again</source>
      <translation>Прочитать заново</translation>
    </message>
    <message>
      <source>Read again with %1</source>
      <translation>Прочитать заново (%1)</translation>
    </message>
    <message>
      <source>Read again with the built-in engine</source>
      <translation>Прочитать заново встроенным движком</translation>
    </message>
    <message>
      <source>Remove from the list</source>
      <translation>Убрать из списка</translation>
    </message>
    <message>
      <source>Removed %1 from the list.</source>
      <translation>%1 убран из списка.</translation>
    </message>
    <message>
      <source>Show in folder</source>
      <translation>Показать в папке</translation>
    </message>
    <message>
      <source>Text only</source>
      <translation>Только текст</translation>
    </message>
  </context>
  <context>
    <name>DocumentExport</name>
    <message>
      <source>Could not save: %1</source>
      <translation>Не удалось сохранить: %1</translation>
    </message>
    <message>
      <source>Saved %1</source>
      <translation>Сохранено: %1</translation>
    </message>
    <message>
      <source>Saving %1 was cancelled; nothing was written.</source>
      <translation>Сохранение %1 отменено; ничего не записано.</translation>
    </message>
    <message>
      <source>Saving %1…</source>
      <translation>Сохранение %1…</translation>
    </message>
  </context>
  <context>
    <name>DocumentsPanel</name>
    <message>
      <source>%1 s/page</source>
      <translation>%1 с/стр.</translation>
    </message>
    <message>
      <source>%1 seconds per page</source>
      <translation>%1 с на страницу</translation>
    </message>
    <message>
      <source>Documents</source>
      <translation>Документы</translation>
    </message>
    <message>
      <source>Pages</source>
      <translation>Страницы</translation>
    </message>
    <message>
      <source>Read by %1</source>
      <translation>Прочитано: %1</translation>
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
    <name>ExportNotice</name>
    <message>
      <source>Cancel</source>
      <translation>Отмена</translation>
    </message>
    <message>
      <source>page %v of %m</source>
      <translation>страница %v из %m</translation>
    </message>
  </context>
  <context>
    <name>ExtractController</name>
    <message>
      <source>Exported %1 row(s) to %2</source>
      <translation>Экспортировано строк: %1, файл %2</translation>
    </message>
    <message>
      <source>Extracted %1 of %2.</source>
      <translation>Извлечено %1 из %2.</translation>
    </message>
    <message>
      <source>Extracting %1 (%2 of %3): page %4 of %5</source>
      <translation>Извлечение %1 (%2 из %3): страница %4 из %5</translation>
    </message>
    <message>
      <source>No engine is running: start a model or connect a server.</source>
      <translation>Движок не запущен: запустите модель или подключите сервер.</translation>
    </message>
    <message>
      <source>Open a document first, then extract its fields.</source>
      <translation>Сначала откройте документ, затем извлеките его поля.</translation>
    </message>
    <message>
      <source>schema</source>
      <translation>схема</translation>
    </message>
  </context>
  <context>
    <name>ExtractPane</name>
    <message>
      <source>Business card</source>
      <translation>Визитная карточка</translation>
    </message>
    <message>
      <source>CSV (*.csv)</source>
      <translation>CSV (*.csv)</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Отмена</translation>
    </message>
    <message>
      <source>Custom</source>
      <translation>Своя</translation>
    </message>
    <message>
      <source>Excel workbook (*.xlsx)</source>
      <translation>Книга Excel (*.xlsx)</translation>
    </message>
    <message>
      <source>Export extracted rows</source>
      <translation>Экспорт извлечённых строк</translation>
    </message>
    <message>
      <source>Export rows…</source>
      <translation>Экспорт строк…</translation>
    </message>
    <message>
      <source>Extract all open documents</source>
      <translation>Извлечь из всех открытых документов</translation>
    </message>
    <message>
      <source>Extract this document</source>
      <translation>Извлечь из этого документа</translation>
    </message>
    <message>
      <source>Extracted document</source>
      <translation>Документ с извлечёнными полями</translation>
    </message>
    <message>
      <source>Extraction progress</source>
      <translation>Ход извлечения</translation>
    </message>
    <message>
      <source>Fields of</source>
      <translation>Поля документа</translation>
    </message>
    <message>
      <source>Invoice</source>
      <translation>Счёт-фактура</translation>
    </message>
    <message>
      <source>JSON Schema (*.json);;All files (*)</source>
      <translation>JSON Schema (*.json);;Все файлы (*)</translation>
    </message>
    <message>
      <source>JSON Schema of the fields to extract</source>
      <translation>JSON Schema извлекаемых полей</translation>
    </message>
    <message>
      <source>Open a JSON Schema</source>
      <translation>Открыть JSON Schema</translation>
    </message>
    <message>
      <source>Open schema…</source>
      <translation>Открыть схему…</translation>
    </message>
    <message>
      <source>Pick a template or write a JSON Schema</source>
      <translation>Выберите шаблон или напишите JSON Schema</translation>
    </message>
    <message>
      <source>Receipt</source>
      <translation>Чек</translation>
    </message>
    <message>
      <source>Schema</source>
      <translation>Схема</translation>
    </message>
    <message>
      <source>Schema template</source>
      <translation>Шаблон схемы</translation>
    </message>
    <message>
      <source>Show where this value was read</source>
      <translation>Показать, откуда прочитано это значение</translation>
    </message>
    <message>
      <source>Table of contents</source>
      <translation>Оглавление</translation>
    </message>
    <message>
      <source>The model gave no place on the page for this value</source>
      <translation>Модель не указала, где на странице это значение</translation>
    </message>
    <message>
      <source>The template cannot be read: %1</source>
      <translation>Шаблон не читается: %1</translation>
    </message>
  </context>
  <context>
    <name>FailedPage</name>
    <message>
      <source>Read this page again</source>
      <translation>Прочитать страницу ещё раз</translation>
    </message>
    <message>
      <source>Retry</source>
      <translation>Повторить</translation>
    </message>
    <message>
      <source>This page could not be read</source>
      <translation>Эту страницу не удалось прочитать</translation>
    </message>
  </context>
  <context>
    <name>FormulaBox</name>
    <message>
      <source>Close</source>
      <translation>Закрыть</translation>
    </message>
    <message>
      <source>Copy as LaTeX</source>
      <translation>Копировать как LaTeX</translation>
    </message>
    <message>
      <source>Copy as MathML</source>
      <translation>Копировать как MathML</translation>
    </message>
    <message>
      <source>Formula</source>
      <translation>Формула</translation>
    </message>
    <message>
      <source>Rendered formula</source>
      <translation>Отрисованная формула</translation>
    </message>
    <message>
      <source>This formula cannot be written as MathML.</source>
      <translation>Эту формулу нельзя записать в MathML.</translation>
    </message>
    <message>
      <source>This formula could not be drawn; its LaTeX is shown.</source>
      <translation>Формулу не удалось отрисовать; показан её LaTeX.</translation>
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
      <source>Extract</source>
      <translation>Извлечение</translation>
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
      <source>Layout boxes</source>
      <translation>Рамки разметки</translation>
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
      <source>GPU memory use lowered to %1.</source>
      <translation>Доля памяти GPU снижена до %1.</translation>
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
      <source>The model runtime was not started.</source>
      <translation>Среда запуска модели не была запущена.</translation>
    </message>
    <message>
      <source>Try again</source>
      <translation>Попробовать снова</translation>
    </message>
    <message>
      <source>downloading the image</source>
      <translation>скачивание образа</translation>
    </message>
    <message>
      <source>failed</source>
      <translation>ошибка</translation>
    </message>
    <message>
      <source>no model container</source>
      <translation>контейнера модели нет</translation>
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
      <source>stopped</source>
      <translation>остановлен</translation>
    </message>
    <message>
      <source>stopping</source>
      <translation>останавливается</translation>
    </message>
  </context>
  <context>
    <name>OverlayLegend</name>
    <message>
      <source>Colour legend</source>
      <translation>Легенда цветов</translation>
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
      <source>About</source>
      <translation>О программе</translation>
    </message>
    <message>
      <source>Add or change model profiles (TOML files); they are read at start-up.</source>
      <translation>Добавьте или измените профили моделей (файлы TOML); они читаются при запуске.</translation>
    </message>
    <message>
      <source>Applied when you press OK</source>
      <translation>Применяется по нажатию OK</translation>
    </message>
    <message>
      <source>As the system</source>
      <translation>Как в системе</translation>
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
      <source>Dark</source>
      <translation>Тёмная</translation>
    </message>
    <message>
      <source>Engine</source>
      <translation>Движок</translation>
    </message>
    <message>
      <source>General</source>
      <translation>Общие</translation>
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
      <source>Light</source>
      <translation>Светлая</translation>
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
      <source>Press it anywhere to read a part of the screen. Empty: no key.</source>
      <translation>Нажмите её где угодно, чтобы прочитать часть экрана. Пусто — без клавиши.</translation>
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
      <source>Screen capture key</source>
      <translation>Клавиша захвата экрана</translation>
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
      <source>Theme</source>
      <translation>Тема</translation>
    </message>
    <message>
      <source>This computer's model folder (default)</source>
      <translation>Папка моделей на этом компьютере (по умолчанию)</translation>
    </message>
    <message>
      <source>Wayland does not let apps listen for keys: in your desktop's keyboard settings, add a shortcut that runs the command: dots-desktop capture</source>
      <translation>Wayland не даёт приложениям слушать клавиши: в настройках клавиатуры вашего рабочего стола добавьте сочетание, запускающее команду: dots-desktop capture</translation>
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
    <name>SourceView</name>
    <message>
      <source>Wrap lines</source>
      <translation>Переносить строки</translation>
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
      <source>%1 could not be opened; select it to see why.</source>
      <translation>Не удалось открыть %1; выберите этот документ, чтобы узнать почему.</translation>
    </message>
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
