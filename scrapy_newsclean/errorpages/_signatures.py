"""Error, block and challenge page signatures: one data table, compiled once.

Each row of :data:`SIGNATURES` is ``(reason, where, pattern, slack)``:

``reason``
    snake_case token reported by :func:`scrapy_newsclean.errorpages._classify.classify`.
``where``
    ``header``: searched in ``"name: value"`` lines (lowercase names); decisive alone.
    ``title`` / ``h1``: searched in each segment of the normalized (lowercase)
    title or in each ``<h1>``; a hit counts only when the words left around the
    match, fillers (:data:`FILLER`) aside, are at most ``slack``, and never
    when the phrase is quoted (a headline quoting an error message).
    ``text``: searched in the first characters of the visible text, only on
    pages with little visible text; ``lead``: the same, in its first
    :data:`LEAD_CHARS` only (the page's main message, for generic phrases).
    ``markup``: substrings of the lowercased raw markup (its head and tail),
    only on pages with little visible text; ``stub``: the same, on pages whose
    body holds nothing but scripts.
``pattern``
    a regular expression without nested quantifiers (no catastrophic
    backtracking), matched case-insensitively; for ``markup`` and ``stub``,
    ``|``-separated lowercase literals.
"""

# Patterns hold non-ASCII letters and quotes on purpose (multilingual phrases).
# ruff: noqa: RUF001

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


class Signature(NamedTuple):
    reason: str
    where: str
    pattern: re.Pattern[str]
    slack: int
    literals: tuple[str, ...]  # markup/stub rows: lowercase substrings


# Raw markup is lowercased once and searched for plain substrings (fast on
# large pages): their patterns are "|"-separated lowercase literals.
_LITERAL = frozenset({"markup", "stub"})


# Most specific first: when several reasons match, the earliest wins.
REASON_PRIORITY: tuple[str, ...] = (
    "challenge_cloudflare",
    "challenge_akamai",
    "challenge_imperva",
    "challenge_distil",
    "challenge_datadome",
    "challenge_perimeterx",
    "challenge_aws_waf",
    "challenge_sucuri",
    "challenge_ddos_guard",
    "challenge_kasada",
    "challenge_vercel",
    "challenge_radware",
    "challenge_reblaze",
    "challenge_captcha",
    "blocked",
    "login_wall",
    "site_unavailable",
    "server_error",
    "soft_404",
)

# Reasons for which a retry (new session, slower pace, proxy) could help.
RETRYABLE_REASONS: frozenset[str] = frozenset(
    r for r in REASON_PRIORITY if r.startswith("challenge_")
) | {"blocked", "server_error"}

# Visible text (characters outside links, scripts and styles) under which each
# kind of evidence may decide. Real articles are far above these.
MAX_TEXT_FOR_TITLE = 2500
# Anchored vendor and not-found titles are strong enough on larger pages
# (branded 404 pages with site chrome, challenges hiding obfuscated scripts).
MAX_TEXT_FOR_TITLE_BY_REASON: Mapping[str, int] = MappingProxyType(
    {"soft_404": 5000, "challenge_cloudflare": 5000, "challenge_distil": 5000}
)
MAX_TEXT_FOR_MARKUP = 1500
MAX_TEXT_FOR_MESSAGE = 1000
MESSAGE_CHARS = 600
LEAD_CHARS = 200
# Markup is scanned in its first and last bytes (challenge markers sit in the
# head or after padding at the end).
MARKUP_HEAD_BYTES = 64 * 1024
MARKUP_TAIL_BYTES = 32 * 1024

# Words that may surround an error phrase in a title or heading without making
# it a headline: interjections, apologies, "error", status codes.
FILLER = re.compile(
    r"\b(?:oops|whoops|uh[- ]oh|oh no|sorry|error|err|http|ups|hoppla|huch|"
    r"fehler|erreur|d[ée]sol[ée]e?|oups|oh là là|errore|ops|oh oh|ci dispiace|"
    r"errou?|erro|lo sentimos|lo siento|perd[óo]n|vaya|desculpe|fout|helaas|"
    r"oeps|упс|ой|извините|ошибка|hata|üzgünüz|hay aksi|błąd|ups|przepraszamy|"
    r"hoppsan|tyvärr|fel|beklager|virhe|hups|chyba|hiba|σφάλμα|שגיאה|خطأ|"
    r"عذرا|عفوا|maaf|lỗi|page|seite|pagina|página|sidan|sivu|strona|sayfa|"
    r"the|this|that|we|you|a|an|is|was|it|oh)\b"
    r"|\b[45]\d\d\b|\b\d\b|エラー|申し訳ございません|申し訳ありません|すみません|"
    r"错误|錯誤|抱歉|对不起|오류|에러|죄송합니다|[^\w\s]+",
    re.IGNORECASE,
)

# Splits a title into its parts ("Page not found | Site name").
# (no \s* around the bare separators: the parts are stripped, and \s*X\s*
# would make a title of whitespace quadratic to split)
TITLE_SEPARATORS = re.compile(r"\s[-|–—·:»/]\s|[|–—·»]")

# Multilingual "page not found" phrases (title, heading or main message).
_NOT_FOUND = (
    # en
    r"page (?:was )?not found|page (?:does not|doesn't|doesn’t|"
    r"did not|could not|cannot|can't|can’t|couldn't|couldn’t) (?:exist|be found)"
    r"|(?:couldn't|couldn’t|could not|can't|can’t|cannot) find (?:the |this |that )?"
    r"(?:page|what you(?:'re| are| were) looking for)|page (?:is )?(?:no longer|not) "
    r"available|page you requested|no such page|file not found|nothing (?:was )?found"
    r"|page (?:has been|was) (?:removed|deleted)|this page (?:no longer )?exists? no"
    r"|page (?:isn't|isn’t|is not) (?:here|available)"
    r"|page you(?:'re| are| were)? looking for (?:does not|doesn't|doesn’t|is not|"
    r"isn't|isn’t|cannot|can't|can’t|could not|couldn't|couldn’t|no longer) "
    r"(?:exists?|be found|available|here)"
    # de
    r"|seite (?:wurde )?nicht gefunden|seite (?:existiert|gibt es) (?:leider )?nicht"
    r"|seite (?:ist )?nicht (?:mehr )?(?:verfügbar|vorhanden)"
    # fr
    r"|page (?:introuvable|non trouvée|inexistante|non disponible)|page (?:que vous "
    r"(?:cherchez|recherchez|demandez) )?n'existe (?:pas|plus)|page n’existe (?:pas|plus)"
    # es / pt / it
    r"|p[áa]gina no (?:encontrada|existe|disponible)|no (?:se )?(?:encontr[óo]|"
    r"encontramos|pudimos encontrar) (?:la )?p[áa]gina|p[áa]gina n[ãa]o (?:encontrada|"
    r"existe|dispon[íi]vel)|pagina non (?:trovata|esiste|disponibile)"
    # nl / sv / da / no / fi / pl / cs / hu / tr / ro
    r"|pagina (?:niet gevonden|bestaat niet)|sidan (?:kunde inte hittas|"
    r"hittades inte|finns inte)|siden (?:blev ikke fundet|findes ikke|finnes ikke|ble "
    r"ikke funnet)|sivua ei (?:löytynyt|löydy)|strony nie (?:znaleziono|odnaleziono)|"
    r"nie znaleziono strony|strona nie (?:została znaleziona|istnieje)|stránka (?:nebyla "
    r"nalezena|nenalezena|neexistuje)|(?:az )?oldal nem található|sayfa bulunamadı|"
    r"aradığınız sayfa bulunamadı|pagina nu a fost găsită|pagina nu există"
    # ru / uk / el / he / ar
    r"|страница не найдена|страницы не существует|страница не существует|"
    r"сторінку не знайдено|сторінка не знайдена|η σελίδα δεν βρέθηκε|"
    r"הדף (?:לא נמצא|המבוקש לא נמצא)|الصفحة (?:المطلوبة )?غير موجودة|"
    r"لم يتم العثور على الصفحة|الصفحة التي تبحث عنها غير موجودة"
    # ja / zh / ko / vi / th / id / hi
    r"|ページ(?:が|は)?見つかりません|ページが見つかりませんでした|"
    r"お探しのページは見つかりませんでした|ページ(?:が|は)存在しません|"
    r"页面(?:不存在|未找到|找不到了?)|找不到(?:该|此|您要的)?(?:页面|網頁|网页|頁面)|"
    r"頁面不存在|網頁不存在|您(?:访问|訪問)的页面不存在|"
    r"페이지를 찾을 수 없습니다|요청하신 페이지를 찾을 수 없습니다|페이지가 존재하지 않습니다|"
    r"không tìm thấy trang|ไม่พบหน้า|halaman tidak (?:ditemukan|dijumpai)|"
    r"पृष्ठ नहीं मिला"
)

# Bare "not found" words: only when nothing but fillers surrounds them.
_NOT_FOUND_SHORT = (
    r"not found|nicht gefunden|introuvable|non trouvée?|no encontrad[ao]|"
    r"n[ãa]o encontrad[ao]|non trovat[ao]|niet gevonden|не найден[ао]?|"
    r"見つかりません|未找到|找不到|찾을 수 없습니다|غير موجودة|bulunamadı|"
    r"nie znaleziono|hittades inte|nenalezena|nem található"
)

# "Article/news not found": a news site's soft 404 names what it could not find.
# Only with nothing but fillers around (slack 0): "Artikel nicht gefunden". At
# the start of the title part or heading, after at most two fillers ("Oops!",
# "Error 404:"): the title union then rules it out at once elsewhere.
_CONTENT_NOT_FOUND = (
    r"^\W{0,3}(?:(?:oops|sorry|error|fehler|erreur|errore|erro|fout|błąd|hata|"
    r"ошибка|エラー|错误|\d{3})\W{0,3}){0,2}(?:the |this |that )?(?:"
    r"(?:article|story|post|content|news item) (?:was |is )?(?:not found|no longer "
    r"available|(?:does not|doesn't|doesn’t|no longer) exists?)"
    r"|(?:artikel|beitrag|meldung|nachricht|inhalt) (?:wurde )?(?:nicht gefunden|"
    r"(?:ist )?nicht (?:mehr )?verfügbar|existiert nicht)"
    r"|(?:article|contenu) (?:introuvable|non trouvé|inexistant|indisponible)"
    r"|(?:artículo|noticia|contenido) no (?:encontrad[oa]|disponible|existe)"
    r"|(?:articolo|notizia|contenuto) non (?:trovat[oa]|disponibile|esiste)"
    r"|(?:artigo|notícia|conteúdo|matéria) n[ãa]o (?:encontrad[oa]|dispon[íi]vel|existe)"
    r"|(?:artikel|bericht) (?:niet gevonden|bestaat niet|niet (?:meer )?beschikbaar)"
    r"|nie znaleziono (?:artykułu|materiału|wiadomości)|(?:artykuł|materiał) nie "
    r"(?:istnieje|został znaleziony)"
    r"|(?:статья|новость|материал|публикация) не (?:найден[аоы]?|существует)"
    r"|(?:haber|içerik|makale) bulunamadı"
    r"|(?:記事|ニュース|コンテンツ)(?:が|は)?見つかりません(?:でした)?"
    r"|(?:文章|新闻|新聞|内容|內容)(?:不存在|未找到|找不到))"
)

# A phrase right after an opening quote is quoted by a headline ("„Seite nicht
# gefunden“ - warum ...", «Доступ запрещён»), never an error page's own message.
# An apostrophe after a letter is an elision ("l'articolo"), not a quote.
_QUOTES = '"“”„«»‚‹›「『《'
_APOSTROPHES = "'‘’"
UNQUOTED = (
    f"(?<![{_QUOTES}])(?<![{_QUOTES}{_APOSTROPHES}] )(?<!(?<!\\w)[{_APOSTROPHES}])"
)
# A title part or heading opening with a quote quotes what follows: no hit in it.
QUOTED_START = re.compile(f"[{_QUOTES}{_APOSTROPHES}]")
# An opening quote ending a text: searched up to a title or heading hit (which
# is then quoted: "マイナポータルで障害 「ページが見つかりません」と表示").
QUOTE_BEFORE = re.compile(f"(?:[{_QUOTES}]|(?<!\\w)[{_APOSTROPHES}]) ?\\Z")
# Rows whose patterns hold the UNQUOTED guard (title and h1 rows check
# QUOTE_BEFORE after a match instead: a guard in front of every alternative
# would cost their union its fast scan, on every page's title).
_PHRASE_WHERE = frozenset({"text", "lead"})

# (Varnish's and Fastly's own 503 messages only after their status code.)
_HTTP_ERROR_5XX = (
    r"\b5\d\d\b[^a-z]{0,3}(?:internal server error|bad gateway|service (?:temporarily )?"
    r"unavailable|gateway time-?out|server error|backend fetch failed|first byte timeout"
    r"|backend read error)|\b(?:internal server error|bad gateway|gateway time-?out)\b"
    r"|guru meditation"
)

# Maintenance, rate-limit and geo/legal block pages, as their whole heading
# (as a title part they would also match an undated headline's kicker:
# "Too many requests - City Hall's FOI office swamped").
_MAINTENANCE = (
    r"^(?:maintenance|(?:site |website )?(?:is )?(?:under|undergoing|down for) "
    r"(?:scheduled )?maintenance|briefly unavailable for scheduled maintenance\W+check "
    r"back in a minute|we['’]ll be back soon|wartungsarbeiten|(?:site )?en maintenance|"
    r"(?:sitio )?en mantenimiento|(?:sito )?in manutenzione|(?:site )?em manutenção)\W*$"
)
_RATE_LIMITED = (
    r"too many requests|rate limit(?:ed| exceeded)|zu viele anfragen|trop de requêtes|"
    r"demasiadas (?:solicitudes|peticiones)|troppe richieste|muitas solicitações"
)
_GEO_BLOCKED = (
    r"unavailable (?:due to|for) legal reasons|(?:is )?not available in your "
    r"(?:country|region|location|area)|(?:ist )?in ihrem land nicht verfügbar|"
    r"(?:n'est )?pas disponible dans votre (?:pays|région)|"
    r"no (?:está )?disponible en (?:tu|su) (?:país|región)"
)
# US publishers' notice to EU readers (a page without a heading).
_EU_BLOCKED = (
    r"(?:web)?site is (?:currently |temporarily )?(?:unavailable|not available) "
    r"in (?:most )?european countries"
)

_CAPTCHA_PHRASES = (
    r"verify(?:ing)? (?:that )?you(?:'re| are) (?:a )?(?:human|not a (?:ro)?bot)|"
    r"needs to review the security of your connection|"
    r"are you (?:a )?(?:human|robot)|i'?m not a robot|complete the security check|"
    r"checking (?:if the site connection is secure|your browser)|press (?:&|and) hold|"
    r"unusual traffic from your (?:computer )?network|enable javascript and cookies "
    r"to continue|bestätigen sie, dass sie (?:ein )?mensch sind|"
    r"vérifi(?:ez|ons) que vous (?:êtes|n'êtes pas) (?:un )?(?:humain|robot)|"
    r"verifica(?:ndo)? que (?:eres|você é) (?:un )?(?:humano|robô)|"
    r"проверка браузера|подтвердите, что вы не робот|人机验证|ロボットではありません"
)

_ROWS: tuple[tuple[str, str, str, int], ...] = (
    # --- headers (decisive) ---
    ("challenge_cloudflare", "header", r"^cf-mitigated: *challenge", 0),
    ("challenge_aws_waf", "header", r"^x-amzn-waf-action: *(?:captcha|challenge)", 0),
    ("challenge_sucuri", "header", r"^x-sucuri-block:", 0),
    ("challenge_perimeterx", "header", r"^x-px-block:", 0),
    # --- Cloudflare ---
    ("challenge_cloudflare", "title", r"^just a moment\W*$|^один момент", 0),
    ("challenge_cloudflare", "title", r"attention required!? \| cloudflare", 1),
    ("challenge_cloudflare", "title", r"used cloudflare to restrict access", 4),
    ("challenge_cloudflare", "title", r"please wait\W*\| cloudflare", 1),
    ("challenge_cloudflare", "title", r"^vérification en cours\W*$", 0),
    ("challenge_cloudflare", "markup", "cf_chl_|/cdn-cgi/l/chk_jschl", 0),
    ("challenge_cloudflare", "markup", "jschl_vc|jschl-answer|cf-browser-verif", 0),
    ("challenge_cloudflare", "markup", "cf-error-details|cf-error-code|cf-wrapper", 0),
    (
        "challenge_cloudflare",
        "markup",
        "challenge-platform/h/b/orch|challenge-platform/h/g/orch",
        0,
    ),
    ("challenge_cloudflare", "markup", "cf-im-under-attack|cf-captcha-container", 0),
    (
        "challenge_cloudflare",
        "text",
        r"performance (?:&|and) security by cloudflare",
        0,
    ),
    ("challenge_cloudflare", "text", r"ray id:? ?[0-9a-f]{16}\b", 0),
    # Bot-fight stub: nothing but Cloudflare scripts (see page_reading.is_stub).
    ("challenge_cloudflare", "stub", "/cdn-cgi/|__cf$cv$params", 0),
    # --- Akamai ---
    ("challenge_akamai", "text", r"reference ?# ?\d+\.[0-9a-f]+\.\d+\.[0-9a-f]+", 0),
    ("challenge_akamai", "markup", "errors.edgesuite.net|akamai reference", 0),
    ("challenge_akamai", "markup", "/_sec/cp_challenge/|sec-if-cpt-container", 0),
    # --- Imperva / Incapsula / Distil ---
    (
        "challenge_imperva",
        "markup",
        "incapsula incident id|_incapsula_resource?cwudnsai",
        0,
    ),
    ("challenge_imperva", "text", r"incapsula incident|powered by imperva", 0),
    ("challenge_imperva", "lead", r"additional security check is required", 0),
    ("challenge_distil", "title", r"^pardon our interruption\W*$", 0),
    (
        "challenge_distil",
        "markup",
        "distil_r_captcha|distilcaptchaform|distil_r_block",
        0,
    ),
    # --- DataDome ---
    ("challenge_datadome", "markup", "captcha-delivery.com|ct.datadome.co", 0),
    # --- PerimeterX / HUMAN ---
    (
        "challenge_perimeterx",
        "markup",
        'id="px-captcha|#px-captcha|captcha.px-cdn.net|captcha.px-cloud.net',
        0,
    ),
    ("challenge_perimeterx", "lead", r"press (?:&|and) hold", 0),
    # --- AWS WAF / CloudFront ---
    # (not the AwsWafIntegration/AwsWafCaptcha APIs: ordinary pages call them)
    ("challenge_aws_waf", "markup", "gokuprops", 0),
    (
        "challenge_aws_waf",
        "text",
        r"generated by cloudfront|request blocked\W+we can't",
        0,
    ),
    ("challenge_aws_waf", "title", r"^error: the request could not be satisfied$", 0),
    # --- Sucuri ---
    ("challenge_sucuri", "markup", "sucuri_cloudproxy_js|cloudproxy@sucuri.net", 0),
    ("challenge_sucuri", "title", r"sucuri website firewall", 3),
    # --- other vendors ---
    ("challenge_ddos_guard", "title", r"^ddos-guard$", 0),
    ("challenge_ddos_guard", "markup", "ddos-guard.net/|__ddg1_|__ddg2_", 0),
    # (not its fixed path: the client script on ordinary pages shares it)
    (
        "challenge_kasada",
        "markup",
        "kpsdk.scriptstart|kpsdk.load|kpsdk.start=kpsdk.now()",
        0,
    ),
    ("challenge_vercel", "title", r"^vercel security checkpoint$", 0),
    (
        "challenge_radware",
        "title",
        r"^(?:radware bot manager|shieldsquare) captcha$",
        0,
    ),
    (
        "challenge_radware",
        "markup",
        "validate.perfdrive.com/|captcha.perfdrive.com/captcha-public/",
        0,
    ),
    ("challenge_reblaze", "markup", "window.rbzns", 0),
    # --- generic captcha walls ---
    ("challenge_captcha", "title", _CAPTCHA_PHRASES, 3),
    ("challenge_captcha", "h1", _CAPTCHA_PHRASES, 3),
    ("challenge_captcha", "lead", _CAPTCHA_PHRASES, 0),
    (
        "challenge_captcha",
        "title",
        r"^(?:security|captcha|bot) (?:check|verification)$",
        0,
    ),
    # --- generic blocks ---
    (
        "blocked",
        "title",
        (
            r"access (?:denied|forbidden|restricted)|\b40[13]\b\W*(?:forbidden|"
            r"unauthorized)|^forbidden$|request (?:blocked|rejected|unsuccessful)|"
            r"you (?:have been|are|were) blocked|access to this page has been denied|"
            r"zugriff verweigert|accès (?:refusé|interdit)|acceso denegado|"
            r"accesso negato|acesso negado|доступ (?:запрещ[её]н|ограничен)|"
            r"アクセスが拒否されました|访问被拒绝|拒絕存取|접근이 거부되었습니다"
        ),
        0,
    ),
    ("blocked", "h1", r"^access denied$|^forbidden$", 1),
    ("blocked", "h1", r"\b40[13]\b\W*(?:forbidden|unauthorized)", 0),
    (
        "blocked",
        "text",
        r"you don't have permission to access .{0,300} on this server",
        0,
    ),
    ("blocked", "text", r"your access to this site has been limited", 0),
    ("blocked", "h1", _RATE_LIMITED, 0),
    ("blocked", "lead", r"^\W*(?:429\W*)?too many requests\b", 0),
    ("blocked", "h1", _GEO_BLOCKED, 2),
    ("blocked", "lead", _EU_BLOCKED, 0),
    ("blocked", "markup", "<code>accessdenied</code>", 0),
    # --- login walls ---
    (
        "login_wall",
        "title",
        (
            r"^(?:log ?in|sign ?in|anmelden|einloggen|connexion|se connecter|"
            r"iniciar sesión|accedi|entrar|iniciar sessão|inloggen|zaloguj(?: się)?|"
            r"logowanie|вход|войти|авторизация|giriş(?: yap)?|oturum aç|ログイン|"
            r"登录|登入|로그인)$"
        ),
        1,
    ),
    (
        "login_wall",
        "title",
        r"^(?:log ?in|sign ?in) to (?:continue(?: reading)?|keep reading|your account)$",
        0,
    ),
    # --- gone sites ---
    (
        "site_unavailable",
        "title",
        (
            r"website is no longer available|domain (?:has been )?seized|"
            r"this domain (?:is for sale|has expired)|account suspended"
        ),
        3,
    ),
    # --- server errors ---
    ("server_error", "title", _HTTP_ERROR_5XX, 1),
    ("server_error", "h1", _HTTP_ERROR_5XX, 1),
    ("server_error", "h1", _MAINTENANCE, 0),
    # Windows HTTP.sys (IIS) when the application pool is down.
    ("server_error", "lead", r"http error 503\. the service is unavailable", 0),
    # --- soft 404 ---
    ("soft_404", "title", _NOT_FOUND, 2),
    ("soft_404", "h1", _NOT_FOUND, 2),
    ("soft_404", "title", _NOT_FOUND_SHORT, 0),
    ("soft_404", "h1", _NOT_FOUND_SHORT, 0),
    ("soft_404", "title", _CONTENT_NOT_FOUND, 0),
    ("soft_404", "h1", _CONTENT_NOT_FOUND, 0),
    # A 404 page's joke, and a TV series: only on its own.
    ("soft_404", "title", r"lost in space", 0),
    ("soft_404", "h1", r"lost in space", 0),
    ("soft_404", "title", r"\b(?:404|410)\b", 0),
    ("soft_404", "h1", r"\b(?:404|410)\b", 0),
    (
        "soft_404",
        "lead",
        r"^\W*(?:error\W*)?404\W*(?:error|not found|page|$)|^[^.!?]{0,20}"
        + UNQUOTED
        + f"(?:{_NOT_FOUND})",
        0,
    ),
    ("soft_404", "markup", "<code>nosuchkey</code>", 0),
)

SIGNATURES: tuple[Signature, ...] = tuple(
    Signature(
        reason,
        where,
        re.compile(
            "|".join(map(re.escape, pattern.split("|")))
            if where in _LITERAL
            else f"{UNQUOTED}(?:{pattern})"
            if where in _PHRASE_WHERE
            else pattern,
            re.IGNORECASE,
        ),
        slack,
        tuple(pattern.split("|")) if where in _LITERAL else (),
    )
    for reason, where, pattern, slack in _ROWS
)


def anchor_groups(
    literals: Iterable[str], min_anchor: int = 6
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Literals grouped under a shared substring (the anchor), for scanning.

    A literal can only occur where its anchor does, so a markup without the
    anchor skips the whole group: one scan instead of one per literal. Greedy:
    the substring (at least ``min_anchor`` characters) shared by most literals
    first; a literal sharing none is its own anchor.
    """
    left = list(dict.fromkeys(literals))
    groups: list[tuple[str, tuple[str, ...]]] = []
    while left:
        subs = {
            lit[i : i + n]
            for lit in left
            for n in range(min_anchor, len(lit) + 1)
            for i in range(len(lit) - n + 1)
        }
        best = max(sorted(subs), key=lambda a: (sum(a in lit for lit in left), len(a)))
        members = tuple(lit for lit in left if best in lit)
        if len(members) < 2:
            groups.extend((lit, (lit,)) for lit in left)
            break
        groups.append((best, members))
        left = [lit for lit in left if lit not in members]
    return tuple(groups)


# A page declaring when it was published is an article (error, block and
# challenge pages never do): its title, headings and text may quote error
# phrases ("Accès refusé - des milliers d'allocataires...", a film review called
# "Forbidden", a brief quoting a Cloudflare error), so hits found there do not
# count. Only vendor markers in the markup and headers decide on such pages.
# (JSON-LD and microdata dates count only on article types: WordPress gives
# every page a WebPage with a datePublished, a seized-domain notice included.)
PUBLISHED_XPATH = (
    "/html/head/meta[@property='article:published_time' or "
    "@name='article:published_time' or @name='pubdate' or @name='publishdate' or "
    "@name='publish-date' or @name='parsely-pub-date' or @name='sailthru.date']"
    " | /html/descendant::*[@itemprop='datePublished'][ancestor::*"
    "[contains(@itemtype, 'Article') or contains(@itemtype, 'BlogPosting')]]"
    " | /html/descendant::script[@type='application/ld+json']"
    "[contains(., '\"datePublished\"')][contains(., 'Article\"') or "
    "contains(., 'BlogPosting\"')]"
)
PUBLISHED_VETOES: frozenset[str] = frozenset({"title", "h1", "text", "lead"})


# Final URL paths (after a redirect) that name an error page.
ERROR_PATH = re.compile(
    r"/(?:40[034]|41[05]|50[0-3]|error|errors|not-?found|page-?not-?found|"
    r"pagenotfound|404-?error|error-?404|missing|gone)(?:\.\w{2,5})?/?$"
    r"|[?&](?:error|status|code)=40[34]\b",
    re.IGNORECASE,
)

# Home-page-like paths: "/", "/index.html", "/en/", "/home".
HOME_PATH = re.compile(
    r"^/?(?:[a-z]{2}(?:[-_][a-z]{2})?/?)?(?:(?:index|default|home|start)"
    r"(?:\.\w{2,5})?)?$",
    re.IGNORECASE,
)
