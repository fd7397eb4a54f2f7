# Строки настольного приложения Tern, русский.

app-title = Tern

## Вход

login-heading = Вход в Tern
register-heading = Новая учётная запись Tern
server-url = Сервер
login-name = Имя пользователя или почта
username = Имя пользователя
email = Почта
display-name = Отображаемое имя (необязательно)
password = Пароль
sign-in = Войти
create-account = Создать учётную запись
have-account = У меня уже есть учётная запись
need-account = Создать учётную запись
sign-out = Выйти
signing-in = Входим…

## Список комнат

rooms = Комнаты
room-filter = Найти комнату
no-rooms = Комнат пока нет
no-match = Ничего не найдено
unread-badge = Непрочитанных: { $count }
mention-badge = Упоминаний: { $count }
all-workspaces = Все пространства
room-pending = Ждут отправки: { $count }

## Лента

today = Сегодня
yesterday = Вчера
pick-room = Выберите комнату слева
load-older = Загружаем старые сообщения…
edited = изменено
deleted-message = Сообщение удалено
reply = Ответить
edit = Изменить
delete = Удалить
react = Реакция
retry = Повторить
discard = Отменить
state-pending = Ждёт отправки
state-sending = Отправляется…
state-retrying = Повторная попытка ({ $attempts })
state-failed = Не отправлено: { $reason }
thread-replies = { $count ->
    [one] { $count } ответ
    [few] { $count } ответа
   *[many] { $count } ответов
}
replying-to = Ответ для { $name }
editing = Изменение сообщения
cancel = Отмена
read-marker = Новые сообщения
jump-latest = К последним

## Поле ввода

composer-placeholder = Напишите сообщение…
send = Отправить
attach = Прикрепить файл
drop-here = Отпустите файлы, чтобы отправить

## Файлы

uploading = Загрузка { $percent }%
downloading = Скачивание { $percent }%
open-file = Открыть
save-file = Сохранить как…
file-size = { $size }

## Соединение

banner-offline = Нет сети — всё сохранённое здесь можно читать.
banner-connecting = Переподключаемся…
banner-syncing = Догоняем…
queued = { $count ->
    [one] { $count } сообщение ждёт отправки
    [few] { $count } сообщения ждут отправки
   *[many] { $count } сообщений ждут отправки
}
reconnect-now = Подключиться сейчас

## Поиск

search = Поиск
search-placeholder = Искать сообщения
search-in-room = Только в этой комнате
search-no-results = Сообщений не найдено
search-with-files = С файлами

## Переход к комнате

switcher-placeholder = Перейти в комнату…

## Настройки

settings = Настройки
theme = Тема
theme-system = Как в системе
theme-light = Светлая
theme-dark = Тёмная
language = Язык
language-system = Как в системе
notifications = Показывать уведомления
cache-size = Размер кэша файлов (МБ)
save = Сохранить
close = Закрыть

## Ошибки

error-network = Сервер недоступен.
error-invalid-credentials = Неверный логин или пароль.
error-generic = Что-то пошло не так: { $message }

## Комнаты: каталог, создание, сведения

directory = Каталог комнат
new-room = Новая комната
room-name = Название комнаты
room-topic = Тема (необязательно)
room-public = Любой в пространстве может найти её и войти
create-room = Создать
join = Войти
joined = Вы участник
leave-room = Покинуть комнату
room-members = { $count ->
    [one] { $count } участник
    [few] { $count } участника
   *[many] { $count } участников
}
mute-room = Без уведомлений
mute-here = Без уведомлений только на этом устройстве
room-muted = Без звука
room-info = О комнате
room-no-topic = Без темы
room-notify = Уведомления в этой комнате (на всех ваших устройствах)
room-notify-all = Обо всех сообщениях
room-notify-mentions = Только упоминания (в личной комнате — все сообщения)
room-notify-none = Никаких (без звука)
member-invited = приглашён
role-owner = владелец
role-moderator = модератор
invite = Пригласить
invite-placeholder = Пригласить: начните вводить имя
invite-sent = { $name } приглашён(а)

## Пространства

workspace = Пространство
workspace-unread = { $name } ({ $count })

## Личные сообщения и люди

new-dm = Новое личное сообщение
people-search = Найти человека по имени
people-none = В ваших пространствах никого не нашлось
bot = бот

## Профиль и устройства

profile = Профиль
avatar = Аватар
avatar-change = Сменить аватар…
avatar-remove = Убрать аватар
display-name-label = Отображаемое имя
saved = Сохранено
sessions = Устройства
loading = Загрузка…
device-unknown = Неизвестное устройство
session-current = Это устройство
session-last-seen = Последний раз в сети: { $when }
session-revoke = Выйти
session-revoke-others = { $count ->
    [one] Выйти на { $count } другом устройстве
   *[other] Выйти на { $count } других устройствах
}

## Файлы и кэш

downloading-unknown = Скачивание…
cache-usage = Занято { $used } из { $max } МБ (из них { $pinned } МБ сохранено для офлайна)
