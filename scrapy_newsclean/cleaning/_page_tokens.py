"""Boilerplate evidence of page elements: tags and class/id token families (data).

Used by :mod:`scrapy_newsclean.cleaning._page_evidence`. Each family is a
reason token (``page_<family>``) and the class/id words that show it, in the
languages sites name their classes in. Words shorter than five letters match
a whole word of a class or id; longer ones match its beginning ("subscri":
"subscribe", "subscription"). Add structure that transfers across sites
(a widget's role), never a phrase of one page.
"""

from __future__ import annotations

#: Boilerplate elements and the reason their blocks get.
TAG_REASONS = {
    "nav": "page_nav",
    "footer": "page_footer",
    "aside": "page_aside",
    "form": "page_form",
    "menu": "page_nav",
    "figure": "page_caption",
    "figcaption": "page_caption",
    "header": "page_header",
    "select": "page_form",
    "button": "page_form",
}

# Class/id tokens by family. Short tokens (< 5 letters) match exactly, longer
# ones as prefixes of a token ("subscri" matches "subscribe", "subscription").
TOKEN_FAMILIES: dict[str, tuple[str, ...]] = {
    "page_share": (
        "share", "sharing", "shares", "social", "sociable", "teilen", "partage",
        "compartir", "condividi", "compartilhar", "delen", "addthis", "shariff",
        "sharethis", "sharebar",
    ),
    "page_newsletter": (
        "newsletter", "subscri", "signup", "abonn", "abo", "inscri", "suscri",
        "iscriviti", "mailchimp", "optin",
    ),
    "page_comments": (
        "comment", "comments", "kommentar", "commentaire", "comentario",
        "commenti", "reacties", "disqus", "discussion", "respond", "reply",
        "replies", "forum",
    ),
    "page_related": (
        "related", "relacionad", "correlat", "verwandt", "aehnlich", "similar",
        "recommend", "empfehl", "readmore", "further", "morestories", "more",
        "popular", "trending", "mostread", "meistgelesen", "outbrain",
        "taboola", "plista", "lire", "leggi", "weitere", "also",
    ),
    "page_promo": (
        "promo", "advert", "ad", "ads", "adv", "advertisement", "anzeige",
        "werbung", "sponsor", "banner", "publicidad", "publicite", "pubblicita",
        "commercial", "affiliate", "marketing",
    ),
    "page_byline": (
        "byline", "author", "autor", "auteur", "dateline", "meta", "posted",
        "published", "timestamp", "date", "datum", "fecha",
    ),
    "page_caption": ("caption", "credit", "credits", "legende", "bildunterschrift"),
    "page_tags": ("tags", "tag", "keyword", "topics", "schlagw", "etiquetas"),
    "page_breadcrumb": ("breadcrumb", "crumbs", "crumb"),
    "page_cookie": ("cookie", "consent", "gdpr", "privacy", "datenschutz"),
    "page_login": ("login", "signin", "register", "registration"),
    "page_teaser": ("teaser", "teasers", "card", "cards", "tile", "tiles"),
    "page_nav": (
        "nav", "navbar", "navigation", "menu", "sidebar", "widget", "footer",
        "masthead", "toolbar", "pagination", "pager", "breaking", "ticker",
        "skip", "sitemap",
    ),
}  # fmt: skip

#: Inside the article region these remove only short blocks (a standfirst in a
#: "teaser" box, a caption worth keeping, an article's own header).
WEAK_REASONS = frozenset(
    {"page_caption", "page_byline", "page_tags", "page_promo", "page_header"}
    | {"page_aside", "page_teaser", "page_login", "page_widget"}
)
