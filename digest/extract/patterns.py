"""Line patterns for what is not the article in saved plain-text pages.

Generic publishing furniture, not tuned to particular documents: paywall
meters, comment sections, newsletter/donation/share blocks, site footers,
copyright lines, photo captions and wire credits.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# Subscription meters and paywall prompts (usually before the text).
PAYWALL = re.compile(
    r"(last (free )?article|articles? (left|remaining)|read more articles? this month"
    r"|can read \w+ (more )?articles?|your (free )?limit|limit is up|reset on:?$"
    r"|(help )?support .{0,40} by subscribing|subscribe (now|today|to continue|here)"
    r"|already a subscriber|sign in to (continue|read)|free articles? this month)", _I)

# Lines that open the furniture after an article; everything from here on goes.
END_MARKERS = re.compile(
    r"^(\d+\s+comments?|comments?(\s*\(\d+\))?|no comments yet|login to comment|log in to comment"
    r"|sign in to comment|leave a (reply|comment)|post a comment|add a comment|join the discussion"
    r"|your email address will not be published.*|related (posts|articles|stories|news|coverage)"
    r"|more from .{1,40}|latest news|most read|most popular|recommended( for you)?"
    r"|become a patron.*|donate( now| today)?|join our newsletter"
    r"|sign up for (our|the) .{0,40}newsletter.*|subscribe to (our|the) .{0,40}newsletter.*"
    r"|get .{0,60} newsletter .{0,40}|share this( article| story)?:?|share on .{0,20}"
    r"|follow us on .{0,40}|to contact the .{2,80}|about the author|tags?:.*|filed under:?.*"
    r"|annual subscription)$", _I)
# "Support Countercurrents", "Support our journalism" as a line of its own.
SUPPORT_HEADER = re.compile(r"^Support (us|our \w+|[A-Z][\w-]+(?: [A-Z][\w-]+)?)$")

# Single lines dropped wherever they are.
DROP_LINES = re.compile(r"^(advertisement|advert|sponsored( content)?|read more:?.{0,200}|click here to .{0,120}"
                        r"|share this( article| story)?:?|skip to (main )?content|image source,.{0,80}"
                        r"|image caption,.{0,300})$", _I)

COPYRIGHT = re.compile(r"^(©|\(c\)\s|copyright\b)|all rights reserved", _I)

# A copyright notice glued to the end of the last paragraph: split it off.
GLUED_COPYRIGHT = re.compile(r"(?<=[.!?”\"'’)])\s*(?=(©|Copyright\s*©|\(c\)\s)\s*(Copyright\s*)?\d{4})")

CAPTION = re.compile(
    r"^(in (this|these) (photo|image|picture|file photo)s?\b|this (photo|image|picture)\b"
    r"|(file|file photo)\s*[-–—:]|photo:|image:|pictured:|caption:)"
    r"|\((ap|afp|reuters|getty|ap photo|epa)[^)]*\)\s*$|\bvia ap\)\s*$|\bphoto(graph)?:\s*[\w ]+$", _I)

# "– Kim Tong-Hyung and Dasha Litvinova, AP News"
CREDIT_LINE = re.compile(r"^[–—-]\s*(?P<names>[^,]{3,120}),\s*(?P<agency>[\w .&-]{2,40})$")
# "Associated Press journalists X in Tallinn and Y in Washington contributed."
CONTRIBUTED = re.compile(r"^(?P<agency>[\w .&-]{2,40}?)\s+(writers?|journalists?|reporters?|correspondents?)"
                         r"\b.{0,400}\bcontributed( to this (report|story))?\.?$", _I)
BYLINE_BY = re.compile(r"^by\s+(?P<names>[A-Z][\w'’.-]+(?:[ ,]+(?:and\s+)?[A-Z][\w'’.-]+){0,7})"
                       r"(?:\s*[,|–—-]\s*(?P<rest>.{0,80}))?$", _I)

_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December"
           "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
DATE_WORDS = (rf"(?:\d{{1,2}}\s+(?:{_MONTHS})\.?,?\s+\d{{4}}"
              rf"|(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})")
# "Peter Symonds 15 September 2023" / "By Jane Roe, March 3, 2021" / "15 September 2023"
NAME_AND_DATE = re.compile(
    rf"^(?:by\s+)?(?P<names>[A-Z][\w'’.-]+(?:\s+(?:and\s+)?[A-Z][\w'’.-]+){{0,5}})?[\s,|–—-]*"
    rf"(?P<date>{DATE_WORDS})$", _I)
DATE_MARKER = re.compile(r"^\s*date[:\s]+(?P<date>\d{4}-\d{2}-\d{2})\b\s*", _I)

# Dateline credits inside the first paragraph: "WASHINGTON (Reuters) -", "PARIS (AFP) —"
DATELINE_AGENCY = re.compile(r"^[A-Z][A-Z .,'-]{1,60}\((?P<agency>AP|Reuters|AFP|dpa|UPI|Xinhua)\)\s*[-–—]")

AGENCIES = {
    "ap": "Associated Press", "ap news": "Associated Press", "the associated press": "Associated Press",
    "associated press": "Associated Press", "reuters": "Reuters", "thomson reuters": "Reuters",
    "afp": "Agence France-Presse", "agence france-presse": "Agence France-Presse",
    "agence france presse": "Agence France-Presse", "dpa": "dpa", "upi": "United Press International",
    "united press international": "United Press International", "xinhua": "Xinhua", "tass": "TASS",
    "yonhap": "Yonhap", "kyodo": "Kyodo News", "kyodo news": "Kyodo News", "pa media": "PA Media",
    "press association": "PA Media", "ansa": "ANSA", "efe": "EFE", "bloomberg": "Bloomberg",
}
# "© Copyright 2023 The Associated Press" / "Copyright 2021 Thomson Reuters"
COPYRIGHT_HOLDER = re.compile(r"(?:©|copyright)\s*(?:©\s*)?(?:copyright\s*)?\d{4}\s+(?P<holder>[A-Z][\w .&'-]{1,60}?)"
                              r"(?:[.,]|\s+all rights|$)", _I)

# "(Reporting by Jane Roe and John Doe; Editing by Ann Poe)" -- Reuters-style credit lines.
REPORTING = re.compile(r"^\(?(?:additional )?(?:reporting|writing|editing) by (?P<names>.{3,300}?)\)?\.?$", _I)
