# ruff: noqa: RUF001  (multilingual punctuation is the data here)
"""Multilingual boilerplate signatures: one data table, compiled once.

Patterns are matched against a block's *match form* (see :func:`match_form`):
NFKC, casefolded, curly quotes made straight, whitespace collapsed. Each
signature has a ``mode``:

- ``full``: the whole block must match (the usual, safest mode);
- ``start``: the block must start with the pattern;
- ``end``: the block must end with the pattern (trailing punctuation allowed);
- ``search``: the phrase may occur anywhere (use only for long, specific phrases).

and a ``role``: ``block`` removes the block; ``weak`` removes it only next to
another removed block (``Sorry!!`` above an error banner, a bare ``Comments``
header above an empty comment widget); ``section`` removes it and starts a
link-list section (the teasers that follow are removed too).

Every signature also has ``max_chars``: longer blocks are never tested against
it, which keeps matching cheap and stops a pattern from eating article prose.
Patterns must not nest unbounded quantifiers (checked by
:func:`compile_signatures`), so matching stays linear.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scrapy_newsclean._bounded_memo import Memo

if TYPE_CHECKING:
    from collections.abc import Iterable

REASONS = frozenset(
    {
        "disclaimer",
        "copyright",
        "call_to_action",
        "advertisement",
        "cookie_notice",
        "comment_widget",
        "error_banner",
        "link_list",
        "site_chrome",
    }
)
MODES = frozenset({"full", "start", "end", "search"})
ROLES = frozenset({"block", "weak", "section"})

# Optional separator + short tail after a section header ("Similar News: ...").
# ("…" is "..." after NFKC.)
_TAIL = r"(?:\s?(?:[:：|»›>\-–—]|\.\.\.)\s?[^\n]{0,120})?"
# Optional "Error!", "Oops!", "404" in front of an error sentence.
_ERR = (
    r"(?:(?:error|oops|whoops|sorry|ups|fehler|erreur|ошибка|404)[!.:,\s-]{0,4}){0,3}"
)
_PAGE_GONE = (
    r"(?:does ?n'?t|does not|did not|could ?n'?t|could not|can ?not|can'?t|"
    r"was not|is not|is no longer|no longer) "
    r"(?:exist|be found|found|available|be displayed|exists)"
)

# Not a sentence reporting what someone said: no ", said ..." clause in the
# 300 characters that follow.
_NOT_REPORTED = (
    r"(?![^\n]{0,300}[,;] (?:he |she |they |it )?(?:said|says|told|sagte|sagt|"
    r"erklärte|betonte|a déclaré|affirme|a affirmé|a expliqué|explique|dijo|afirmó|"
    r"explicó|aseguró|ha detto|ha affermato|ha spiegato|spiega|disse|afirmou|"
    r"explicou|zei|zegt|aldus|powiedział|powiedziała|заявил|заявила|сказал|сказала|"
    r"dedi|açıkladı|söyledi)\b)"
)

# Copyright phrases that end a line follow the owner's name after punctuation
# ("Example Media, Inc. All rights reserved"), never a word and a space: "...yet
# many publishers still end their pages with all rights reserved." is prose.
# (The check looks back from the phrase's end: a leading lookbehind would cost
# the regex engine its fast scan for the phrase's first letters.)
_RIGHTS_RESERVED = tuple(
    rf"{phrase}(?<![^\W\d_] {phrase})"
    for phrase in (
        r"all rights reserved",
        r"alle rechte vorbehalten",
        r"tous droits réservés",
        r"todos los derechos reservados",
        r"tutti i diritti riservati",
        r"todos os direitos reservados",
        r"alle rechten voorbehouden",
        r"wszelkie prawa zastrzeżone",  # pl
        r"tüm hakları saklıdır",  # tr
        r"все права защищены",
        r"جميع الحقوق محفوظة",
    )
)

# Cookie notices speak for the site ("This website uses cookies...") from their
# first words, after at most a short label ("Datenschutz & Cookies: "); a report
# quotes them mid-sentence ("...banners that read 'We use cookies to improve
# your experience'...") or says who said it ("..., sagte ein Sprecher").
_COOKIE_NOTICE_OPENINGS = (
    r"(?:this|our) (?:web)?site uses cookies",
    r"we use cookies (?:to|and|on|for|\()",
    r"by continuing to (?:use|browse) (?:this|our|the) (?:web)?site,? you",
    r"the cookie settings on this (?:web)?site",
    r"diese (?:website|webseite|seite) (?:verwendet|nutzt) cookies",
    r"wir (?:verwenden|nutzen) cookies",
    r"ce site utilise des cookies",
    r"nous utilisons des cookies",
    r"este sitio(?: web)? (?:utiliza|usa) cookies",
    r"(?:utilizamos|usamos) cookies",
    r"questo sito (?:web )?(?:utilizza|usa) (?:i )?cookie",
    r"utilizziamo (?:i )?cookie",
    r"este (?:site|website) (?:utiliza|usa) cookies",
    r"deze (?:web)?site (?:maakt gebruik van|gebruikt) cookies",
    r"wij gebruiken cookies",
    (
        r"(?:ta |nasza )?(?:strona|witryna|serwis)(?: internetowa)? (?:używa|"
        r"wykorzystuje|korzysta z) (?:plików )?cookies?"
    ),  # pl
    r"(?:używamy|wykorzystujemy|korzystamy z) (?:plików )?cookies?",
    (
        r"(?:sitemizde|web sitemizde|internet sitemizde|bu (?:web )?sitede)"
        r"[^\n.]{0,60}çerez(?:ler)? kullan"
    ),  # tr
    r"(?:этот )?сайт использует (?:файлы )?cookie",
    r"мы используем (?:файлы )?cookie",
)

# (reason, role, mode, max_chars, patterns); comments name the languages.
# fmt: off
SIGNATURE_TABLE: tuple[tuple[str, str, str, int, tuple[str, ...]], ...] = (
    # --- legal disclaimers: specific phrases only -----------------------------
    ("disclaimer", "block", "full", 40, (
        r"(?:legal |important )?disclaimer:?",  # en
        r"haftungsausschluss:?",
        r"avertissement(?: légal)?:?",  # de fr
        r"aviso legal:?",
        r"descargo de responsabilidad:?",  # es
        r"esclusione di responsabilità:?",
        r"isenção de responsabilidade:?",  # it pt
        r"отказ от ответственности:?",
        r"免責事項:?",
        r"免责声明[:：]?",  # ru ja zh
        r"면책 ?조항:?",
        r"إخلاء المسؤولية:?",  # ko ar
    )),
    ("disclaimer", "block", "search", 1500, (
        r"provides? (?:the |this )?information \"?as is\"?,? without (?:any )?warrant",
        r"(?:is|are) provided \"?as is\"?,? without (?:any )?warrant",
        r"we do not accept any (?:responsibility|liability) for the accuracy",
        (
            r"the views (?:and opinions )?expressed (?:in this (?:article|column|post|"
            r"content|piece)|here(?:in)?|above) are (?:solely )?(?:those of the|the "
            r"author|their own|not necessarily)"
        ),
        # self-referential: "this article does not constitute...", not a report
        # that someone's post "does not constitute legal advice"
        (
            r"(?:(?:this|our) (?:article|content|post|page|site|website|material|"
            r"publication|newsletter|report|analysis|commentary|information)|nothing "
            r"(?:in|on) this \w{1,15}|herein|(?:the )?information (?:provided|contained|"
            r"presented) (?:here(?:in)?|(?:in|on) this \w{1,15})|(?:the )?information "
            r"(?:in|on) this (?:press )?(?:release|announcement|communication|document|"
            r"presentation|e-?mail|video|podcast))[^\n.!?]{0,60} "
            r"(?:does not|do not|doesn't|shall not|should not|is not intended to) "
            r"constitutes? (?:any )?(?:financial|investment|legal|tax) advice"
        ),
        r"this (?:article|content|post) is for informational purposes only",
        # de (ß casefolds to ss); "die geäußerten Meinungen sind vielfältig" is prose
        r"die in diesem (?:artikel|beitrag|text|kommentar|gastbeitrag) geäusserten meinungen",
        (
            r"die geäusserten meinungen (?:sind (?:die |ausschliesslich |allein )?(?:des|"
            r"der) (?:autors|autorin|autoren|verfassers|verfasserin)|geben (?:nicht )?"
            r"(?:zwingend |unbedingt |notwendigerweise )?(?:die|ausschliesslich))"
        ),
        (
            r"für den inhalt (?:der|dieser) (?:pressemitteilung|meldung) ist "
            r"(?:allein )?(?:der|das)"
        ),
        # "we accept no liability", not a court's finding that a platform does not
        (
            r"(?:^|[:.] )keine (?:haftung|gewähr) für (?:die )?(?:richtigkeit|"
            r"vollständigkeit)|(?:übernehmen wir|wir übernehmen) keine (?:haftung|gewähr)"
            r"(?: für (?:die )?(?:richtigkeit|vollständigkeit))?"
        ),
        r"les opinions exprimées (?:dans cet article )?(?:n'engagent|sont celles)",  # fr
        (
            r"las opiniones expresadas (?:en este (?:artículo|texto) )?son (?:de )?(?:la |"
            r"su )?(?:(?:exclusiva|entera|única) )?responsabilidad|las opiniones "
            r"expresadas (?:en este (?:artículo|texto) )?son (?:de )?(?:sus|su|los|las|el|"
            r"la) (?:autor|autora|autores|firmantes)|las opiniones expresadas en este "
            r"(?:artículo|texto)"
        ),
        (
            r"le opinioni espresse (?:in questo (?:articolo|contenuto|post)|nell'articolo)"
            r"|le opinioni espresse sono (?:(?:esclusivamente|solo|unicamente) )?(?:quelle "
            r"dell|dell'autore|degli autori|personali|di esclusiva responsabilità)"
        ),  # it
        (
            r"as opiniões expressas (?:neste|nesta|no presente) (?:artigo|texto|coluna|"
            r"conteúdo)|as opiniões expressas (?:aqui )?(?:são de (?:inteira |exclusiva )?"
            r"responsabilidade|são (?:do|da|dos|das) (?:autor|autora|autores|autoras)|não "
            r"(?:refletem|representam|expressam|necessariamente))"
        ),  # pt
        (
            r"de meningen (?:die )?(?:in dit (?:artikel|stuk|opiniestuk) (?:worden )?"
            r"(?:geuit|verwoord)|(?:worden )?(?:geuit|verwoord) in dit (?:artikel|stuk))"
        ),  # nl
        (
            r"de in dit (?:artikel|stuk) (?:geuite|verwoorde) meningen|de (?:geuite|"
            r"verwoorde) meningen (?:zijn|komen|vallen) [^\n.!?]{0,40}(?:auteur|schrijver|"
            r"verantwoordelijkheid)"
        ),
        r"мнение (?:редакции|автора) может не совпадать",  # ru
        r"本記事は情報提供(?:のみ)?を目的として",  # ja
        r"本文(?:仅)?代表作者(?:个人)?观点",  # zh
        r"본 (?:기사|글)(?:의 내용)?은 .{0,20}(?:입장|견해)과 (?:다를|무관)",  # ko
        r"الآراء الواردة (?:في هذا المقال )?(?:تعبر|لا تعبر)",  # ar
    )),
    # --- copyright lines -------------------------------------------------------
    ("copyright", "block", "start", 250, (
        r"©",
        r"copyright ?(?:©|\(c\))",
        r"copyright \d{4}",
        r"copyright by ",
        r"\(c\) ?(?:copyright|\d{4})",
        r"ⓒ",
        r"版[权權]所有",
    )),
    ("copyright", "block", "end", 250, (
        *_RIGHTS_RESERVED,
        # ja: the notice's own wording, not a report that a site "forbids" it
        r"無断(?:転載|複製)(?:・(?:転載|複製))?(?:を禁じます|を禁止します|禁止(?:します)?)",
        r"all rights reserved\.? ?無断転載禁止",
        r"版[权權]所有",
        r"版[权權]所有[^\n]{0,40}不得转载",
        r"무단 ?전재(?: 및 | ?[-·ㆍ] ?)재배포 ?금지",
    )),
    # --- calls to action ------------------------------------------------------
    ("call_to_action", "block", "full", 160, (
        (
            r"share(?: this| the)?(?: article| story| post| page)?(?: on| via)?"
            r"(?: facebook| twitter| x| linkedin| whatsapp| email| e-mail)?:?"
        ),
        r"(?:subscribe|sign up|register)(?: now| today| for free| here)?[!.]?",
        (
            r"(?:subscribe|sign up|register|join)[^\n]{0,80}(?:newsletter|inbox|"
            r"e-?mail updates|breaking news alerts?)[^\n]{0,60}"
        ),
        r"follow us(?: on [^\n]{0,60})?[!.]?",
        r"follow @[^\n]{1,40}",
        r"(?:like us|find us) on facebook[!.]?",
        r"click here to subscribe[^\n]{0,60}",
        r"get (?:our|the) [^\n]{0,40}newsletter[^\n]{0,60}",
        r"(?:artikel |beitrag )?teilen(?: auf \w{1,20})?:?",  # de
        r"(?:jetzt |den )?newsletter abonnieren[!.]?",
        r"folgen sie uns[^\n]{0,60}",
        r"melden sie sich (?:jetzt )?für (?:unseren|den) newsletter an[^\n]{0,40}",
        r"partager(?: cet article| sur \w{1,20})?:?",
        r"suivez-nous[^\n]{0,60}",  # fr
        r"abonnez-vous[^\n]{0,80}",
        r"inscrivez-vous à (?:notre|la) newsletter[^\n]{0,60}",
        r"compartir(?: en \w{1,20})?:?",
        r"síguenos[^\n]{0,60}",  # es
        r"suscríbete[^\n]{0,80}",
        r"comparte(?: esta noticia| este artículo)?:?",
        r"condividi(?: su \w{1,20}| questo articolo)?:?",
        r"seguici[^\n]{0,60}",  # it
        r"iscriviti alla (?:nostra )?newsletter[^\n]{0,60}",
        r"compartilh(?:e|ar)(?: no \w{1,20})?:?",
        r"partilhar:?",
        r"siga-nos[^\n]{0,60}",
        r"(?:assine|inscreva-se)[^\n]{0,40}newsletter[^\n]{0,40}",  # pt
        r"delen(?: op \w{1,20})?:?",
        r"deel dit artikel:?",
        r"volg ons[^\n]{0,60}",  # nl
        r"(?:abonneer|schrijf je in)[^\n]{0,40}nieuwsbrief[^\n]{0,40}",
        r"поделиться(?: в \w{1,20})?:?",
        r"(?:подписывайтесь|подпишитесь|подписаться)[^\n]{0,80}",  # ru
        r"оформите подписку[^\n]{0,60}",
        r"(?:シェア|共有)(?:する)?",
        r"[^\n]{0,30}をフォロー(?:する|して(?:ください|ね)?)?",  # ja
        r"フォローする",
        r"(?:ニュースレター|メルマガ)(?:を)?(?:登録|購読)[^\n]{0,30}",
        r"分享(?:到|至)[^\n]{0,20}",
        r"分享(?:本文|文章|此文|这篇文章)?[:：]?",
        r"关注我们[^\n]{0,40}",
        r"(?:点击|立即|欢迎)?订阅(?:我们|本[号站刊]|newsletter|新闻通讯|邮件|电子报)[^\n]{0,20}",  # zh
        r"(?:点击|立即)订阅[^\n]{0,20}",
        r"공유하기",
        r"구독하기",
        r"(?:페이스북|트위터) ?공유",  # ko
        r"뉴스레터 ?(?:구독|신청)(?:하기)?",
        r"شارك(?: المقال| هذا)?",
        r"تابعونا على[^\n]{0,40}",
        r"اشترك(?: الآن)?",  # ar
        r"اشترك (?:الآن )?في (?:النشرة|نشرتنا|القناة|قناتنا)[^\n]{0,50}",
        r"udostępnij(?: (?:na|w) \w{1,20})?:?",
        r"obserwuj nas[^\n]{0,60}",  # pl
        r"(?:zapisz się|zasubskrybuj)[^\n]{0,40}newslett[^\n]{0,40}",
        r"paylaş(?:ın)?:?",
        r"bizi takip edin[^\n]{0,60}",  # tr
        r"[^\n]{0,30}bülten(?:imiz)?e (?:abone olun|kaydolun)[^\n]{0,40}",
        r"rate this (?:recipe|article|story)[!.]?",
    )),
    # --- advertisement labels --------------------------------------------------
    ("advertisement", "block", "full", 80, (
        (
            r"(?:advertisement|advertising|sponsored|ad|adv|anzeige|werbung|publicité|"
            r"publicidad|pubblicità|publicidade|advertentie|reklama|reklam|реклама|広告|"
            r"广告|廣告|광고|"
            r"إعلان)(?: ?[-–—:] ?(?:scroll|continue) [^\n]{0,40})?:?"
        ),
        r"(?:story|article) continues below(?: this)? (?:advertisement|ad)",
        r"continue reading (?:the main story|below)",
        r"weiter nach der anzeige",
        r"la suite après (?:cette )?(?:la )?publicité",
        r"continúa después de la publicidad",
        r"lees verder na de advertentie",
        r"продолжение (?:после|ниже) рекламы",
        r"広告の後に続きます",
    )),
    # --- cookie notices ---------------------------------------------------------
    # (Search mode anchored with "^": only blocks holding a hint word are tried.)
    ("cookie_notice", "block", "search", 600, (
        r"^(?:[^\n.!?]{1,40}: ?)?(?:"
        + "|".join(_COOKIE_NOTICE_OPENINGS)
        + ")"
        + _NOT_REPORTED,
    )),
    ("cookie_notice", "block", "search", 600, (
        # buttons and links: the label on its own
        r"^(?:accept|allow|reject|decline|refuse|manage)(?: all)? cookies\Z",
        r"^(?:accept|allow|reject)(?: necessary| essential| optional) cookies\Z",
        r"^(?:[^\n]{1,40}(?: ?& ?| and |, ?))?cookie (?:policy|settings)\Z",
        r"^(?:[^\n]{1,40}(?: ?& ?| and |, ?))?cookie (?:preferences|notice|statement)\Z",
        # addressed to the reader: "...you agree to our ... Cookie Policy"
        r"\b(?:our|your) [^\n.!?]{0,60}cookie (?:policy|settings|preferences)",
        # a footer's link list: "Privacy Policy | Cookie Policy | Terms"
        r"(?:\| ?(?:privacy ?& ?)?cookie (?:policy|settings)|cookie (?:policy|settings) ?\|)",
        # ... or without separators: link labels, no punctuation at all
        (
            r"^(?=[^\n.!?,;:\"]{0,300}\Z)(?=[^\n]{0,300}\b(?:privacy|terms of "
            r"(?:use|service)|contact)\b)[^\n]{0,150}cookie (?:policy|settings)"
        ),
        r"(?:cookie|クッキー)を使用して",
        r"(?:本网站|我们)使用cookie",
        r"쿠키를 사용",
        r"ملفات تعريف الارتباط",
    )),
    # --- empty comment widgets -------------------------------------------------
    ("comment_widget", "block", "full", 80, (
        (
            r"(?:comments?|kommentare?|commentaires?|comentarios?|commenti|comentários|"
            r"reacties|komentarze|yorumlar|комментарии|コメント|评论|댓글|تعليقات)? ?"
            r"\(?\d{0,3}\)? ?(?:"
            r"no comments?(?: yet)?|0 comments?|be the first to comment|there are no "
            r"comments(?: yet)?|comments are closed|leave a (?:comment|reply)|"
            r"post a comment|add a comment|join the (?:conversation|discussion)|"
            r"keine kommentare|noch keine kommentare|0 kommentare|"
            r"schreiben sie (?:den ersten|einen) kommentar|kommentar schreiben|"
            r"aucun commentaire|soyez le premier à commenter|laisser un commentaire|"
            r"sin comentarios|no hay comentarios|sé el primero en comentar|"
            r"deja un comentario|nessun commento|lascia un commento|"
            r"sii il primo a commentare|nenhum comentário|seja o primeiro a comentar|"
            r"deixe um comentário|geen reacties|plaats een reactie|"
            r"brak komentarzy|dodaj komentarz|napisz komentarz|bądź pierwszy[^\n]{0,30}|"
            r"henüz yorum yapılmamış|ilk yorumu (?:siz )?yapın|yorum (?:yap|yazın)|"
            r"нет комментариев|оставьте комментарий|будьте первым[^\n]{0,30}|"
            r"コメントはまだありません|コメントする|暂无评论|发表评论|"
            r"댓글이 없습니다|첫 댓글을 남겨주세요|لا توجد تعليقات|أضف تعليق)[.!]?"
        ),
    )),
    ("comment_widget", "weak", "full", 30, (
        (
            r"(?:\d{1,4} )?(?:comments?|kommentare?|commentaires?|comentarios?|commenti|"
            r"comentários|reacties|komentarze|yorumlar|комментарии|コメント|评论|댓글|تعليقات)"
            r"(?: \(\d{1,4}\))?"
        ),
    )),
    # --- error banners ---------------------------------------------------------
    ("error_banner", "block", "full", 220, (
        _ERR + r"(?:we'?re |we are )?sorry,? (?:but )?(?:the|this) page (?:you "
        r"(?:were |are )?(?:looking for|requested|tried to (?:access|reach)) )?"
        + _PAGE_GONE
        + r"[^\n]{0,100}",
        _ERR
        + r"(?:the|this) page you (?:were |are )?(?:looking for|requested) "
        + _PAGE_GONE
        + r"[^\n]{0,100}",
        _ERR + r"(?:404 )?(?:page|file) not found[.!]?",
        _ERR + r"seite (?:wurde )?nicht gefunden[^\n]{0,80}",  # de
        _ERR + r"die (?:angeforderte|gesuchte|von ihnen gesuchte) seite "
        r"(?:existiert nicht|wurde nicht gefunden|konnte nicht gefunden werden)"
        r"[^\n]{0,80}",
        _ERR + r"page (?:introuvable|non trouvée)[^\n]{0,80}",  # fr
        _ERR + r"la page (?:que vous (?:recherchez|cherchez|demandez) )?"
        r"(?:n'existe pas|n'existe plus|est introuvable)[^\n]{0,80}",
        _ERR + r"página no encontrada[^\n]{0,80}",  # es
        _ERR
        + r"la página que (?:buscas|busca|estás buscando) no existe[^\n]{0,80}",
        _ERR + r"pagina non trovata[^\n]{0,80}",  # it
        _ERR
        + r"la pagina che stai cercando non (?:esiste|è disponibile)[^\n]{0,80}",
        _ERR + r"página não encontrada[^\n]{0,80}",  # pt
        _ERR + r"pagina niet gevonden[^\n]{0,80}",
        r"deze pagina bestaat niet[^\n]{0,80}",
        _ERR + r"страница не найдена[^\n]{0,80}",  # ru
        _ERR + r"запрашиваемая страница не (?:найдена|существует)[^\n]{0,80}",
        # ja zh: the message and its explanation, not a sentence going on with a
        # particle ("ページが見つかりませんとの表示は...", "页面不存在的提示...")
        r"(?:お探しの)?ページ(?:が|は)見つかりません(?:でした)?(?:[\s。.!?、,:][^\n]{0,80})?",
        r"(?:您访问的|你访问的)?页面不存在(?:[\s。.!?、,:~][^\n]{0,60})?",
        r"找不到(?:该)?页面(?:[\s。.!?、,:~][^\n]{0,60})?",
        r"페이지를 찾을 수 없습니다[^\n]{0,80}",  # ko
        r"(?:عذرا[ًٌ]?،? )?(?:الصفحة غير موجودة|لم يتم العثور على الصفحة)[^\n]{0,80}",
    )),
    ("error_banner", "weak", "full", 30, (
        (
            r"(?:sorry|oops|whoops|error|404|fehler|erreur|ups|упс|ошибка|エラー|错误|"
            r"오류|خطأ|عذرا)[!.]{0,4}"
        ),
    )),
    # --- link-list sections: header + the teasers below it ---------------------
    ("link_list", "section", "full", 160, (
        (
            r"(?:most (?:popular|read|viewed|shared|commented)|trending|"
            r"related|recommended|similar|editor'?s picks|"
            r"(?:popular|latest|top|more)(?= ))"
            r"(?: (?:stories|articles|news|posts|content|links|coverage|topics|videos|"
            r"now|for you|reads|headlines))?"
        ),
        r"(?:most (?:popular|read|viewed|shared|commented)(?: \w{1,12})?|"
        r"(?:popular|trending|related|recommended|similar|latest|top|more) "
        r"(?:stories|articles|news|posts|content|links|coverage|topics|videos|"
        r"now|for you|reads|headlines))" + _TAIL,
        r"(?:you (?:may|might) also (?:like|enjoy|be interested in)|also read|"
        r"further reading|what to read next|in other news|around the web|"
        r"from the web|more from [^\n]{1,40}|more on this (?:story|topic)|"
        r"sponsored (?:content|links|stories)|promoted (?:content|stories))"
        + _TAIL,
        r"(?:mehr zum thema|das könnte sie auch interessieren|auch interessant(?: für (?:dich|sie))?|"
        r"lesen sie auch|weitere artikel|ähnliche artikel|verwandte artikel|"
        r"meistgelesen(?:e artikel)?|beliebte artikel|weitere nachrichten|"
        r"mehr aus [^\n]{1,30}|weiterführende links|"
        r"(?:ähnliche|verwandte|weitere|beliebte|neueste) beiträge|"
        r"das (?:thema )?könnte (?:dich|sie) auch interessieren|"
        r"sie könnten auch an [^\n]{0,40} interessiert sein|"
        r"diese beiträge (?:solltest du|sollten sie) nicht verpassen|"
        r"aktuelle berichte aus dieser kategorie|kunden kauften auch)"
        + _TAIL,  # de
        r"(?:(?:à )?lire aussi|(?:à )?lire également|voir aussi|sur le même sujet|"
        r"articles similaires|les plus lus|dans la même rubrique|"
        r"vous aimerez aussi|nos articles les plus lus|à découvrir(?: aussi)?)"
        + _TAIL,  # fr
        r"(?:lee también|te puede interesar|también te puede interesar|"
        r"noticias relacionadas|artículos relacionados|lo más leído|más leídas|"
        r"más noticias|te recomendamos)" + _TAIL,  # es
        r"(?:leggi anche|potrebbe interessarti|ti potrebbe interessare|"
        r"articoli correlati|notizie correlate|i più letti|più letti|"
        r"altre notizie)" + _TAIL,  # it
        r"(?:leia também|veja também|notícias relacionadas|mais lidas|"
        r"artigos relacionados|relacionados|saiba mais)" + _TAIL,  # pt
        r"(?:lees ook|meer nieuws|gerelateerde artikelen|meest gelezen|"
        r"ook interessant|meer over [^\n]{1,30})" + _TAIL,  # nl
        r"(?:читайте также|похожие (?:новости|статьи)|по теме|самое популярное|"
        r"популярное|другие новости|ещё по теме|еще по теме|смотрите также)"
        + _TAIL,  # ru
        r"(?:関連記事|関連ニュース|人気記事|あわせて読みたい|おすすめ記事|"
        r"アクセスランキング|こちらもおすすめ|類似ニュース)" + _TAIL,  # ja
        r"(?:相[关關](?:阅读|閱讀|文章|新闻|新聞|报道|報導)|热门文章|熱門文章|"
        r"推荐阅读|推薦閱讀|延伸阅读|延伸閱讀|猜你喜欢|更多新闻)" + _TAIL,  # zh
        r"(?:관련 ?기사|많이 본 (?:뉴스|기사)|인기 ?기사|추천 ?기사)" + _TAIL,  # ko
        r"(?:اقرأ أيضا|اقرأ أيضاً|مقالات ذات صلة|الأكثر قراءة|أخبار ذات صلة|"
        r"ذات صلة)" + _TAIL,  # ar
        r"(?:czytaj (?:także|też|również)|zobacz (?:także|też|również)|polecamy|"
        r"najczęściej czytane|najpopularniejsze|powiązane (?:artykuły|wiadomości))"
        + _TAIL,  # pl
        # tr ("İ" casefolds to "i" and a combining dot)
        r"(?:i\u0307?lgili haberler|benzer haberler|en çok okunan(?:lar)?|(?:bunlar da )?"
        r"i\u0307?lginizi çekebilir|diğer haberler)" + _TAIL,
        (
            r"(?:read more|see also|read also|weiterlesen|lire la suite|leer más|"
            r"continua a leggere|leia mais|lees meer|читать далее|続きを読む|"
            r"もっと見る|阅读更多|閱讀更多|더 ?보기|المزيد):?"
        ),
    )),
    # inline "Read more: <headline>" links and "read more »" lines: the block only
    ("link_list", "block", "full", 200, (
        (
            r"(?:read more|read also|see also|also read|related|don't miss|lesen sie (?:auch|mehr)|"
            r"mehr dazu|weiterlesen|lire (?:aussi|la suite)|à lire aussi|leer más|"
            r"lee también|leggi anche|continua a leggere|leia (?:mais|também)|"
            r"lees (?:meer|ook)|czytaj (?:także|też|więcej)|zobacz (?:także|też)|"
            r"devamını oku|читайте также|читать далее|続きを読む|もっと見る|"
            r"阅读全文|阅读更多|閱讀全文|더 ?보기|اقرأ (?:المزيد|أيضا))"
            r"(?: ?[:：»›>→…|]{1,3} ?[^\n]{0,160}| ?[»›>→…]{1,3})"
        ),
    )),
    # --- site chrome: navigation, sharing bars, tag lines, form fine print -----
    ("site_chrome", "block", "full", 60, (
        (
            r"impressum|datenschutz(?:erklärung)?|privacy(?: policy)?|"
            r"(?:terms|conditions) of (?:use|service)|terms and conditions|"
            r"(?:back|go) to top|nach oben|zurück (?:zur|zum) (?:übersicht|startseite|"
            r"anfang)|(?:next|previous|older|newer) (?:post|article|entry)|"
            r"(?:nächster|vorheriger) (?:beitrag|artikel)|vorheriges|nächstes|"
            r"mentions légales|politique de confidentialité|política de privacidad|"
            r"aviso legal|informativa (?:sulla )?privacy|política de privacidade|"
            r"privacyverklaring|политика конфиденциальности|プライバシーポリシー|"
            r"隐私政策|개인정보처리방침|سياسة الخصوصية|"
            r"proudly powered by wordpress|opens in (?:a )?new window|pdf version"
        ),
    )),
    ("site_chrome", "block", "start", 200, (
        (
            r"(?:tags|tagged(?: with)?|schlagworte|schlagwörter|stichworte|getaggt mit|"
            r"categories|kategorien|catégories|mots-clés|etiquetas|categorías|tag|"
            r"argomenti|temi|теги|метки|タグ|标签|標籤|태그|الوسوم) ?[:：]"
        ),
        r"(?:this|diese) (?:site|website|seite) (?:uses|verwendet|nutzt) akismet",
        r"i consent to (?:receiving|the (?:processing|storage))",
        r"i agree (?:my information|to the (?:terms|privacy))",
        r"mit (?:der )?absendung (?:des|dieses) formulars",
        r"bitte geben sie die zahlenfolge|please enter the (?:code|characters) shown",
    )),
    # blog post footers (WordPress): "This entry was posted in X. Bookmark the permalink."
    ("site_chrome", "block", "full", 400, (
        (
            r"(?:dieser (?:eintrag|beitrag) wurde veröffentlicht (?:in|unter)|this "
            r"entry was posted in) [^\n]{1,200}(?:permanentlink|permalink|"
            r"lesezeichen|gekennzeichnet mit [^\n]{1,150}|tagged [^\n]{1,150})\.?"
        ),
        r"veröffentlicht in: [^\n]{1,40}",
    )),
    ("site_chrome", "block", "full", 60, (
        (
            r"(?:[←«‹] ?)?(?:next|previous|older|newer) (?:posts?|articles?|entry|story)"
            r"(?: ?[→»›])?|newer posts? older posts?(?: home)?|reply ?delete|"
            r"lade weitere inhalte[ .…]{0,4}|load more(?: stories| articles| posts)?[ .…]{0,4}|"
            r"impressum ?[&|/] ?datenschutz(?:erklärung)?|theme: [^\n]{1,40} by [^\n]{1,40}"
        ),
    )),
    ("site_chrome", "weak", "full", 30, (
        (
            r"facebook|twitter|x|linkedin|whatsapp|pinterest|tumblr|reddit|xing|"
            r"telegram|e-?mail|print|drucken|imprimer|imprimir|stampa|twittern|"
            r"google\+|copy link|link kopieren|home|startseite|menu|menü|search|suche|"
            r"kontakt|contact(?: us)?|about(?: us)?|über uns|sitemap|agb|login|log in|"
            r"sign in|anmelden|registrieren|reply|antworten|répondre|responder"
        ),
    )),
    ("comment_widget", "block", "start", 220, (
        r"(?:required fields are marked|erforderliche felder sind mit)",
        r"your email address will not be published",
        r"deine e-mail-adresse wird nicht veröffentlicht",
        r"votre adresse (?:e-mail|de messagerie) ne sera pas publiée",
        r"tu dirección de correo electrónico no será publicada",
        r"notify me (?:of|when) (?:new|follow-up)",
        r"benachrichtige mich (?:über|bei)",
        r"zeilenumbrüche und absätze werden automatisch erzeugt",
        r"(?:pingback|trackback)(?: von|:) ",
    )),
    ("comment_widget", "block", "full", 60, (
        (
            r"(?:\d{1,5} )?(?:leave a reply|write a comment|view comments|show comments|"
            r"hinterlasse (?:eine antwort|einen kommentar)|kommentar(?:e)? "
            r"(?:hinzufügen|schreiben)|kommentare geschlossen|kommentieren|"
            r"laisser un commentaire|escribe un comentario|scrivi un commento)"
            r"(?: (?:antworten|kommentar|antwort) abbrechen| cancel reply)?"
        ),
        r"kommentare insgesamt: ?0",
    )),
    ("call_to_action", "block", "full", 160, (
        (
            r"(?:learn more|read the full story|mehr erfahren|erfahre mehr|"
            r"en savoir plus|más información|scopri di più|saiba mais|lees verder|"
            r"подробнее|詳しくはこちら|了解更多|자세히 보기)[ »›>→.]{0,3}"
        ),
        r"(?:[^\n]{1,30} )?newsletter",
        r"subscribe to [^\n.!?]{1,60}",
        (
            r"(?:sign up|register) (?:to|for) (?:get |receive )?[^\n]{0,60}"
            r"(?:newsletters?|updates|inbox|e-?mails?|best content|alerts)[^\n]{0,60}"
        ),
        (
            r"(?:diese (?:geschichte|seite|artikel)|mit anderen) teilen|share to \w{1,20}|"
            r"empfiehl (?:dies|das) deinen freunden[.!]?|weiterempfehlen"
        ),
        r"make a contribution|support (?:our|independent) journalism",
        r"abonnieren sie [^\n]{0,80}",
        # rating widgets under an article
        (
            r"(?:wie (?:bewerten|fanden) sie diesen (?:artikel|beitrag)|fanden sie "
            r"diesen (?:artikel|beitrag) (?:nützlich|hilfreich)|war dieser (?:artikel|"
            r"beitrag) hilfreich|was this (?:article|story|post) helpful|did you find "
            r"this (?:article|story) (?:useful|helpful))\?? ?\*?"
        ),
        (
            r"(?:mit unserem [^\n]{0,30}newsletter (?:erhalten|bleiben|verpassen)|"
            r"bleiben sie [^\n]{0,30} mit (?:dem|unserem) [^\n]{0,40}newsletter )"
            r"[^\n]{0,160}"
        ),
    )),
    # zh: a notice on its own ("未经授权不得转载"), not a ruling that quotes a
    # contract's "no reprint without permission" clause mid-sentence
    ("copyright", "block", "full", 120, (
        (
            r"(?:(?:本文|本站|本网|本报|本刊|原创|转载)[^\n，。]{0,30}[，,]? ?)?未经"
            r"[^\n，。,]{0,12}[，,]? ?不得转载[。.!]?"
        ),
    )),
    ("copyright", "block", "search", 400, (
        r"this material may not be published, broadcast, rewritten,? or redistributed",
        (
            r"reproduction of material from any [^\n]{1,60} without (?:the )?(?:prior )?"
            r"(?:express )?written permission"
        ),
        (
            r"may not be (?:reproduced|republished|copied)[^\n]{0,80} without (?:the )?"
            r"(?:prior )?(?:express )?written permission"
        ),
        r"vervielfältigung nur mit (?:schriftlicher )?genehmigung",
    )),
)
# fmt: on


# Search-mode rules run only on blocks whose casefolded text contains one of
# these words: a C substring test is far cheaper than a regex over a paragraph.
SEARCH_HINTS: dict[str, tuple[str, ...]] = {
    "disclaimer": (
        "warrant",
        "accept any",
        "views",
        "advice",
        "informational",
        "meinungen",
        "inhalt",
        "haftung",
        "gewähr",
        "opinion",
        "opiniones",
        "opinioni",
        "opiniões",
        "meningen",
        "мнение",
        "情報提供",
        "代表作者",
        "입장",
        "견해",
        "الآراء",
    ),
    "cookie_notice": ("cookie", "çerez", "クッキー", "쿠키", "ملفات تعريف الارتباط"),
    "copyright": ("redistributed", "permission", "genehmigung"),
}


@dataclass(frozen=True, slots=True)
class Signature:
    """One boilerplate pattern (see the module docstring for modes and roles).

    ``hints``: optional lowercase words; the pattern is only tried on blocks
    containing one of them (a cheap prefilter for ``search`` patterns).
    """

    reason: str
    pattern: str
    mode: str = "full"
    role: str = "block"
    max_chars: int = 200
    hints: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    """Signatures of one (reason, role, mode, max_chars, hints) group, one regex."""

    reason: str
    role: str
    mode: str
    max_chars: int
    hints: tuple[str, ...]
    regex: re.Pattern[str]

    def matches(self, form: str) -> bool:
        """Whether the match form of a block matches this rule."""
        if len(form) > self.max_chars:
            return False
        if self.mode == "search":
            return self.regex.search(form) is not None
        if self.mode == "end":
            # End patterns are short: only the tail needs scanning.
            return self.regex.search(form[-120:]) is not None
        return self.regex.match(form) is not None


#: Longest block whose classification is memoised (chrome is short).
MEMO_MAX_CHARS = 500


@dataclass(frozen=True, slots=True)
class Signatures:
    """Compiled signature rules; build with :func:`compile_signatures`.

    :meth:`classify` returns the first matching rule, strong rules first. It
    first runs a cheap prefilter (one union regex per mode for the rules a
    block's length allows, one regex of all hint words) and only walks the
    rules one by one when the prefilter may have matched: the result is the
    same as trying every rule in order.
    """

    rules: tuple[Rule, ...]
    max_chars: int
    _tiers: tuple[_Tier, ...] = field(init=False, repr=False, compare=False)
    _limits: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _memo: Memo[str, tuple[Rule | None]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        limits = tuple(sorted({r.max_chars for r in self.rules}))
        tiers = tuple(
            _tier([r for r in self.rules if r.max_chars >= limit]) for limit in limits
        )
        object.__setattr__(self, "_limits", limits)
        object.__setattr__(self, "_tiers", tiers)
        object.__setattr__(self, "_memo", Memo())

    def classify(self, block: str) -> Rule | None:
        """The first rule matching a (stripped) block, strong rules first.

        Results for blocks up to :data:`MEMO_MAX_CHARS` are memoised (a site's
        chrome recurs on every page).
        """
        if len(block) > MEMO_MAX_CHARS:
            return self._classify(block)
        hit = self._memo.get(block)
        if hit is None:
            hit = (self._classify(block),)
            self._memo.put(block, hit)
        return hit[0]

    def _classify(self, block: str) -> Rule | None:
        size = len(block)
        if size > self.max_chars * 2:
            return None
        limits = self._limits
        # A rule applies when size <= 2 * max_chars and len(form) <= max_chars.
        index = bisect_left(limits, (size + 1) // 2)
        if index == len(limits):
            return None
        tier = self._tiers[index]
        folded = block.casefold()
        # Plain substring tests beat one regex of all words (no scan per word start).
        words = tier.ascii_hints if folded.isascii() else tier.hints
        hinted = any(word in folded for word in words)
        if not (hinted or tier.plain):
            return None
        form = _folded_match_form(block, folded)
        index = bisect_left(limits, max(len(form), (size + 1) // 2))
        if index == len(limits):
            return None
        tier = self._tiers[index]
        if tier.may_match(form):
            return _first_match(tier.rules, block, form)
        return _first_match(tier.hinted, block, form) if hinted else None


@dataclass(frozen=True, slots=True)
class _Tier:
    """The rules allowed up to one length, with their union prefilters."""

    rules: tuple[Rule, ...]  # in priority order
    hinted: tuple[Rule, ...]  # the rules with hint words
    plain: bool  # some rule has no hint words
    hints: tuple[str, ...]  # the hint words of all rules
    ascii_hints: tuple[str, ...]  # those an ASCII text may hold
    anchored: re.Pattern[str] | None  # union of the full/start rules
    ends: re.Pattern[str] | None  # union of the end rules
    searches: re.Pattern[str] | None  # union of the search rules without hints
    exact: bool  # a rule could not join a union: always try every rule

    def may_match(self, form: str) -> bool:
        """Whether some rule without hint words may match (never a false no)."""
        return (
            self.exact
            or (self.anchored is not None and self.anchored.match(form) is not None)
            or (self.ends is not None and self.ends.search(form[-120:]) is not None)
            or (self.searches is not None and self.searches.search(form) is not None)
        )


def _tier(rules: list[Rule]) -> _Tier:
    hinted = tuple(r for r in rules if r.hints)
    plain = [r for r in rules if not r.hints]
    # A word holding another hint word adds nothing to "any word occurs".
    words = {h for r in hinted for h in r.hints}
    hints = tuple(sorted(w for w in words if not any(o != w and o in w for o in words)))
    exact = any(r.regex.groups or r.regex.flags != re.UNICODE for r in plain)
    unions: list[re.Pattern[str] | None] = []
    for modes in (("full", "start"), ("end",), ("search",)):
        members = [r.regex.pattern for r in plain if r.mode in modes]
        try:
            union = re.compile("|".join(f"(?:{p})" for p in members))
        except re.error:
            exact, union = True, None
        unions.append(union if members else None)
    anchored, ends, searches = unions
    ascii_hints = tuple(w for w in hints if w.isascii())
    return _Tier(
        tuple(rules),
        hinted,
        bool(plain),
        hints,
        ascii_hints,
        anchored,
        ends,
        searches,
        exact,
    )


def _first_match(rules: Iterable[Rule], block: str, form: str) -> Rule | None:
    """The first of ``rules`` matching the block (hint words checked), in order."""
    folded = None
    for rule in rules:
        if len(block) > rule.max_chars * 2:  # raw text may hold extra spaces
            continue
        if rule.hints:
            if folded is None:
                folded = block.casefold()
            if not any(h in folded for h in rule.hints):
                continue
        if rule.matches(form):
            return rule
    return None


_QUOTES = (("’", "'"), ("‘", "'"), ("`", "'"), ("“", '"'), ("”", '"'), ("„", '"'))


def match_form(block: str) -> str:
    """The form signatures are matched against: NFKC, casefolded, spaces collapsed."""
    if not block.isascii():
        if not unicodedata.is_normalized("NFKC", block):
            block = unicodedata.normalize("NFKC", block)
        for old, new in _QUOTES:
            if old in block:
                block = block.replace(old, new)
    return " ".join(block.casefold().split())


def _folded_match_form(block: str, folded: str) -> str:
    """:func:`match_form` of ``block``, reusing ``folded = block.casefold()``.

    Casefolding never makes nor changes a quote, so the quotes may be
    straightened after it; only a block that NFKC changes is redone.
    """
    if block.isascii():
        return " ".join(folded.split())
    if not unicodedata.is_normalized("NFKC", block):
        return match_form(block)
    for old, new in _QUOTES:
        if old in folded:
            folded = folded.replace(old, new)
    return " ".join(folded.split())


def _nested_unbounded(pattern: str) -> bool:
    """True when an unbounded quantifier applies to a group that has a quantifier."""
    stack: list[bool] = []
    last_group_quantified = False
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            last_group_quantified = False
            continue
        if c == "[":
            j = pattern.find("]", i + 2)
            i = n if j < 0 else j + 1
            last_group_quantified = False
            continue
        if c == "(":
            stack.append(False)
        elif c == ")":
            last_group_quantified = stack.pop() if stack else False
            i += 1
            continue
        elif c in "*+{?":
            unbounded = c in "*+" or (c == "{" and re.match(r"\{\d*,\}", pattern[i:]))
            if unbounded and last_group_quantified:
                return True
            if c != "?" or (i > 0 and pattern[i - 1] not in "(*+?}"):
                stack[-1:] = [True] if stack else []
        last_group_quantified = False
        i += 1
    return False


def _not_casefolded(pattern: str) -> bool:
    """True when a literal of the pattern (escapes aside) changes when casefolded.

    Such a literal can never match the casefolded match form ("ß" is "ss").
    """
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i].casefold() != pattern[i]:
            return True
        i += 1
    return False


def _as_signature(item: object) -> Signature:
    """A Signature from a Signature, a dict or a (reason, pattern, ...) sequence."""
    if isinstance(item, Signature):
        return item
    try:
        if isinstance(item, Mapping):
            sig = Signature(**item)
        elif isinstance(item, (tuple, list)):
            sig = Signature(*item)
        else:
            raise TypeError(type(item).__name__)
    except TypeError as exc:
        raise ValueError(
            f"signature must be a Signature, a dict or a (reason, pattern, mode, "
            f"role, max_chars) sequence, got {item!r}"
        ) from exc
    if not isinstance(sig.pattern, str) or not isinstance(sig.max_chars, int):
        raise ValueError(f"signature pattern must be str, max_chars int: {item!r}")  # noqa: TRY004
    return sig


def _validate(sig: Signature) -> None:
    if sig.reason not in REASONS:
        raise ValueError(
            f"signature reason must be one of {sorted(REASONS)}, got {sig.reason!r}"
        )
    if sig.mode not in MODES or sig.role not in ROLES:
        raise ValueError(f"bad signature mode/role: {sig.mode!r}/{sig.role!r}")
    if not 0 < sig.max_chars <= 5000:
        raise ValueError(
            f"signature max_chars must be in 1..5000, got {sig.max_chars!r}"
        )
    if isinstance(sig.hints, str) or not all(
        isinstance(h, str) and h for h in sig.hints
    ):
        raise ValueError(f"signature hints must be a list of words, got {sig.hints!r}")
    if _not_casefolded(sig.pattern):
        raise ValueError(
            f"signature pattern {sig.pattern!r} must be casefolded: blocks are "
            f"matched casefolded, so write lowercase literals ('ss' for 'ß')"
        )
    if _nested_unbounded(sig.pattern):
        raise ValueError(f"nested unbounded quantifier in signature {sig.pattern!r}")
    try:
        re.compile(sig.pattern)
    except re.error as exc:
        raise ValueError(f"invalid signature pattern {sig.pattern!r}: {exc}") from exc


_GroupKey = tuple[str, str, str, int, tuple[str, ...]]


def _compile_group(key: _GroupKey, patterns: list[str]) -> Rule:
    reason, role, mode, max_chars, hints = key
    alts = "|".join(f"(?:{p})" for p in patterns)
    if mode == "full":
        source = rf"(?:{alts})\Z"
    elif mode == "end":
        source = rf"(?:{alts})[\s.!。>）)\]」】]{{0,4}}\Z"
    else:
        source = f"(?:{alts})"
    return Rule(reason, role, mode, max_chars, hints, re.compile(source))


def _hints(reason: str, mode: str) -> tuple[str, ...]:
    return SEARCH_HINTS.get(reason, ()) if mode == "search" else ()


def default_signatures() -> tuple[Signature, ...]:
    """The built-in signature library as :class:`Signature` objects."""
    return tuple(
        Signature(reason, pattern, mode, role, max_chars, _hints(reason, mode))
        for reason, role, mode, max_chars, patterns in SIGNATURE_TABLE
        for pattern in patterns
    )


def compile_signatures(
    extra: Iterable[Signature | Mapping[str, Any] | tuple[Any, ...]] = (),
    *,
    include_defaults: bool = True,
) -> Signatures:
    """Compile the library plus ``extra`` signatures (Signature, dict or tuple).

    Extra patterns are matched against :func:`match_form` (lowercase text);
    raises :class:`ValueError` for an unknown reason/mode/role, an invalid regex
    or one that nests unbounded quantifiers.
    """
    sigs = list(default_signatures()) if include_defaults else []
    sigs.extend(_as_signature(item) for item in extra)
    groups: dict[_GroupKey, list[str]] = {}
    for sig in sigs:
        _validate(sig)
        key = (
            sig.reason,
            sig.role,
            sig.mode,
            sig.max_chars,
            tuple(h.casefold() for h in sig.hints),
        )
        groups.setdefault(key, []).append(sig.pattern)
    # Strong rules before weak ones; sections last so specific reasons win.
    order = {"block": 0, "section": 1, "weak": 2}
    keys = sorted(groups, key=lambda k: (order[k[1]], k[0] == "link_list"))
    rules = tuple(_compile_group(k, groups[k]) for k in keys)
    return Signatures(rules, max((r.max_chars for r in rules), default=0))


DEFAULT_SIGNATURES = compile_signatures()
