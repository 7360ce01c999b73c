"""More punctuated, cased English prose for the punctuation model: training text only (Python 3 stdlib only).

Used by prepare.py (`sources(prose)`); every source here is listed in its TRAIN_ONLY_SOURCES, so the fixed
held-out test split stays the one the targets were set on. Each source reads one Debian package's files
(install them with the apt-get line in prepare.py's docstring) and returns [] when it is not installed.

  debian manuals   the Debian Administrator's Handbook, Debian Reference, Developer's Reference, New
                   Maintainers' Guide, Policy manuals, Securing Debian Manual and Debian's history (HTML)
  postgresql manual, git manual, bash manual, kernel docs, django manual, apache manual   (HTML)
  foldoc, jargon file, devil's dictionary, gcide   (dictd dictionaries, /usr/share/dictd/*.dict.dz)
  crawl, freeciv, nethack, wesnoth, freedroid, endless sky, cataclysm, naev, widelands
                   (game text: descriptions, help, quotations, dialogue)
  manual pages     every installed package's English man pages, sections 1, 5, 7 and 8 (roff)
  info manuals     the installed GNU info manuals (but the copies of manuals read above in HTML)

What all of them keep is prose as prepare.prose() defines it (capital first, end mark last, nearly all plain
words, no addresses, paths or code symbols), judged sentence by sentence: a paragraph is cut into sentences,
and each run of consecutive sentences that all read as prose is one passage. A sentence that names code
(HTML <code>, <kbd>, <var>, a class such as "literal", "command" or "filename") breaks the run and is left
out, as are lists' and tables' cells, verbatim blocks, verse, and quotations' attribution lines; so is a
passage whose lower-case words are not mostly English dictionary words (pages in other languages).
Dialogue keeps its quotation marks (prose(dialogue=True)); tokenize() reads them as openers and closers.
"""
import gzip
import html as html_lib
import json
import os
import re

SENTENCE_END = re.compile(r"[.!?][\"')\]\u201d\u2019]*(?=\s+[\"'(\u201c\u2018]?[A-Z])")
# Abbreviations a sentence does not end at ("e.g. Apache", "Mr. Smith")
NO_SPLIT_BEFORE = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|cf|Mr|Mrs|Ms|Dr|St|No|Fig|Sec|Vol|Jr|Sr)|\b[A-Z])\.$")


def split_sentences(text):
    """Sentences of a paragraph (text unchanged apart from spaces); no split after common abbreviations."""
    text = " ".join(text.split())
    out, start = [], 0
    for m in SENTENCE_END.finditer(text):
        if NO_SPLIT_BEFORE.search(text[start:m.start() + 1]):
            continue
        out.append(text[start:m.end()])
        start = m.end()
    out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


# A cut (". . .", "...") or a trailing-off: its dots are not a sentence's end
ELLIPSIS = re.compile(r"\.\s?\.|\u2026")
# A list's number or bullet run into a sentence ("... first. 4."), a table's rule, `code`, a caption
# or a command's option ("--verify", "-p")
NOT_PROSE = re.compile(r"[.!?]\s+\d|[\u2022\u25cf\u2500-\u257f`]|^(?:Figure|Table|Example|Listing)\s+\d|"
                       r"(?:^|\s)-{1,2}[A-Za-z]")


# English words (set by sources(): /usr/share/dict's list, as the speech corpus loads it); None: no check
VOCAB = None


def english(text, share=0.75):
    """Whether most of the text's lower-case words are English dictionary words (the manuals' pages in other
    languages, Latin, and gibberish spells fail; names and acronyms are not counted)."""
    if VOCAB is None:
        return True
    words = [w.strip("'") for w in re.findall(r"[A-Za-z']+", text.replace("\u2019", "'")) if w[:1].islower()]
    words = [w for w in words if w]
    return not words or sum(1 for w in words if w in VOCAB) >= share * len(words)


def sentence_runs(paragraph, prose, min_words=6, dialogue=False, check=None):
    """Passages of a paragraph: each run of consecutive sentences that read as prose (and pass `check`),
    kept when it reads as English. A sentence holding the placeholder \\x00 (code removed by the caller)
    ends a run and is left out."""
    out, run = [], []

    def flush():
        if run:
            text = prose(" ".join(run), min_words=min_words, dialogue=dialogue)
            if text and english(text):
                out.append(text)
            run.clear()

    for s in split_sentences(paragraph):
        if ("\x00" not in s and not ELLIPSIS.search(s) and not NOT_PROSE.search(s)
                and prose(s, min_words=3, dialogue=dialogue)
                and (check is None or check(s))):
            run.append(s)
        else:
            flush()
    flush()
    return out


# --- HTML manuals ---------------------------------------------------------------------------------------

# Inline markup that holds code, commands, options, file names, variables (DocBook, Sphinx, asciidoc, texinfo)
CODE_TAGS = re.compile(r"<(code|tt|kbd|samp|var|pre|script|style)\b[^>]*>.*?</\1>", re.S | re.I)
CODE_CLASSES = ("literal|replaceable|type|command|function|structfield|structname|parameter|option|"
                "returnvalue|varname|filename|token|symbol|envar|userinput|computeroutput|prompt|systemitem|"
                "email|uri|url|classname|methodname|constant|programlisting|screen|synopsis|pre|keycap|"
                "keycombo|guimenu|guimenuitem|guibutton|guilabel|menuchoice|database|errorcode|"
                "sgmltag|markup|property|interfacename|package|pkg|file|program|literallayout|"
                "cmdsynopsis|funcsynopsis|mediaobject|inlinemediaobject|footnote|indexterm|math")
CODE_CLASS = re.compile(r"<(span|em|strong|b|i|a|div|code|sup)\b[^>]*\bclass=\"(?:[^\"]*\s)?(?:%s)(?:\s[^\"]*)?\"[^>]*>"
                        r".*?</\1>" % CODE_CLASSES, re.S | re.I)
FOOTNOTE = re.compile(r"<sup\b[^>]*>.*?</sup>", re.S | re.I)
# Emphasis (asciidoc and texinfo set option names and commands in <em>/<i>) holding something not a word
CODE_EM = re.compile(r"<(em|i|b|strong)\b[^>]*>([^<]*[-/_=$<>{}()\[\]#@~|*:;%+&.\\0-9][^<]*)</\1>", re.I)
BLOCK = re.compile(r"<(p|h[1-6]|dt)\b[^>]*>(.*?)</\1>|<(div) class=\"para\"[^>]*>(.*?)</div>", re.S | re.I)
IN_CELL = re.compile(r"<(td|th|li)\b[^>]*>\s*(?:<div\b[^>]*>\s*)*$", re.I)  # a table's or list's cell
SECTION_NUMBER = re.compile(r"^\s*(?:(?:[A-Z]|\d+)(?:\.\d+)*\.?|Q:|Q\.)\s+")


# "GNU/Linux", "TCP/IP", "and/or": two words (as tokenize() reads them), not a path, which prose() refuses
SLASHED = re.compile(r"(?<![\w/.~-])([A-Z][A-Za-z]*|and|either|read|input|on|yes|client|he|his)/"
                     r"([A-Z][A-Za-z]*|or|write|output|off|no|server|she|her)(?![\w/])")


def drop_blocks(data, opening, tag):
    """The page without the elements that start with the regex `opening` (a <tag ...>), nested ones included."""
    out, pos = [], 0
    tags = re.compile(r"<(/?)%s\b[^>]*>" % tag, re.I)
    for m in re.finditer(opening, data):
        if m.start() < pos:
            continue
        depth, end = 0, len(data)
        for t in tags.finditer(data, m.start()):
            depth += -1 if t.group(1) else 1
            if depth == 0:
                end = t.end()
                break
        out.append(data[pos:m.start()])
        pos = end
    out.append(data[pos:])
    return "".join(out)


def html_paragraphs(data):
    """[(is_heading, text)] of an HTML page: its <p> paragraphs and its headings/<dt> terms; code markup
    becomes the placeholder \\x00, footnote marks go, everything else is unwrapped. Paragraphs that are a
    table's or list's cell are left out."""
    data = re.sub(r"<!--.*?-->", " ", data, flags=re.S)
    out = []
    for m in BLOCK.finditer(data):
        tag, body = (m.group(1) or "p").lower(), m.group(2) if m.group(1) else m.group(4)  # div.para: DocBook
        if tag == "p" and IN_CELL.search(data[max(0, m.start() - 200):m.start()]):
            continue
        if re.search(r"<(p|pre|table|ul|ol|dl|div)\b", body, re.I):
            continue  # a block holding blocks: not a paragraph
        body = FOOTNOTE.sub(" ", body)
        for _ in range(2):
            body = CODE_TAGS.sub(" \x00 ", body)
            body = CODE_CLASS.sub(" \x00 ", body)
            body = CODE_EM.sub(" \x00 ", body)
        text = html_lib.unescape(re.sub(r"<[^>]+>", "", body))
        text = text.replace("\u00b6", " ").replace("\u00a0", " ").replace("\u200b", "")
        text = " ".join(SLASHED.sub(r"\1 \2", text).split())
        if tag != "p":
            text = SECTION_NUMBER.sub("", text)
        out.append((tag != "p", text))
    return out


def html_passages(paths, prose, drop=None):
    """Prose of HTML pages: paragraphs' runs of clean sentences (sentence_runs) and question headings.
    `drop`: (regex, tag) of the elements to leave out whole."""
    out = []
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                data = f.read()
        except OSError:
            continue
        if drop:
            data = drop_blocks(data, *drop)
        for heading, text in html_paragraphs(data):
            if heading:
                # headings and terms: only questions ("How do I ...?"), which the other sources lack
                if text.endswith("?") and "\x00" not in text:
                    text = prose(text, min_words=4)
                    if text:
                        out.append(text)
            else:
                out.extend(sentence_runs(text, prose))
    return out


def html_files(*dirs, pattern=r"\.html$", recursive=False, skip=()):
    paths = []
    for d in dirs:
        if not os.path.isdir(d):
            continue
        walk = os.walk(d) if recursive else [(d, [], os.listdir(d))]
        for root, subdirs, files in walk:
            subdirs.sort()
            for fn in sorted(files):
                if re.search(pattern, fn) and fn not in skip:
                    paths.append(os.path.join(root, fn))
    return paths


HANDBOOK_DIR = "/usr/share/doc/debian-handbook/html/en-US"   # debian-handbook
REFERENCE_DIR = "/usr/share/debian-reference"                # debian-reference-en
DEVREF_DIR = "/usr/share/developers-reference"               # developers-reference
MAINT_GUIDE_DIR = "/usr/share/doc/maint-guide/html"          # maint-guide
POLICY_DIR = "/usr/share/doc/debian-policy"                  # debian-policy
POSTGRES_DIR = "/usr/share/doc/postgresql-doc-15/html"       # postgresql-doc-15
GIT_DOC_DIR = "/usr/share/doc/git-doc"                       # git-doc
BASH_REF = "/usr/share/doc/bash/bashref.html"                # bash-doc
HARDEN_DIR = "/usr/share/doc/harden-doc/html/en-US"          # harden-doc
HISTORY_DIR = "/usr/share/doc/debian-history/docs"           # debian-history
KERNEL_DIR = "/usr/share/doc/linux-doc-6.1/html"             # linux-doc-6.1
DJANGO_DIR = "/usr/share/doc/python-django-doc/html"         # python-django-doc
APACHE_DIR = "/usr/share/doc/apache2-doc/manual/en"          # apache2-doc

# Directories under /usr/share/doc read here (or holding only this package's copies of what is read here,
# code examples and translations): prepare.doc_passages skips them, so each is read by one source only.
DOC_DIRS = {
    "/usr/share/doc/debian-handbook", "/usr/share/doc/maint-guide", POLICY_DIR,
    "/usr/share/doc/postgresql-doc-15", GIT_DOC_DIR, "/usr/share/doc/bash/examples",
    "/usr/share/doc/crawl-common", "/usr/share/doc/freeciv-data", "/usr/share/doc/nethack-common",
    "/usr/share/doc/harden-doc", "/usr/share/doc/debian-history", "/usr/share/doc/linux-doc-6.1",
    "/usr/share/doc/python-django-doc", "/usr/share/doc/apache2-doc",
}


def debian_manual_passages(prose):
    """The Debian manuals (HTML, English): the Debian Administrator's Handbook (debian-handbook), Debian
    Reference (debian-reference-en), the Developer's Reference (developers-reference), the New Maintainers'
    Guide (maint-guide) and the Policy manuals (debian-policy: Policy, the menu, Perl and copyright-format
    policies, the FHS). Other languages, the one-page copies and the upgrading checklist (a list of changes)
    are left out; so are code, commands, file names, lists, tables and verbatim blocks."""
    paths = html_files(HANDBOOK_DIR)
    paths += html_files(REFERENCE_DIR, pattern=r"\.en\.html$")
    paths += html_files(DEVREF_DIR, skip=("developers-reference.html", "search.html", "genindex.html"))
    paths += html_files(MAINT_GUIDE_DIR, pattern=r"\.en\.html$")
    paths += html_files(os.path.join(POLICY_DIR, "policy.html"), skip=("upgrading-checklist.html",
                                                                    "search.html", "genindex.html"))
    paths += html_files(os.path.join(POLICY_DIR, "menu-policy.html"), os.path.join(POLICY_DIR, "perl-policy.html"),
                        os.path.join(POLICY_DIR, "fhs"))
    paths += [p for p in html_files(POLICY_DIR) if os.path.basename(p) in (
        "copyright-format-1.0.html", "debconf_specification.html", "autopkgtest.html")]
    paths += html_files(HARDEN_DIR)
    paths += html_files(HISTORY_DIR, pattern=r"\.en\.html$")
    return html_passages(paths, prose)


SPHINX_SKIP = ("genindex.html", "search.html", "py-modindex.html", "contents.html")


def sphinx_files(top):
    """A Sphinx build's pages, without its sources, modules' code, indexes and the translations."""
    paths = []
    if not os.path.isdir(top):
        return paths
    for root, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith("_") and d != "translations")
        paths += [os.path.join(root, fn) for fn in sorted(files) if fn.endswith(".html") and fn not in SPHINX_SKIP]
    return paths


def kernel_passages(prose):
    """The Linux kernel's documentation (linux-doc-6.1, HTML made by Sphinx): prose sentences of its guides
    for administrators, users and developers. Translations, code, lists and tables are left out, and so is
    the API reference made from the source's comments (functions', structures' and their members'
    descriptions: fragments such as "Number of packets transmitted.")."""
    return html_passages(sphinx_files(KERNEL_DIR), prose, drop=(r'<dl class="c\b', "dl"))


def django_passages(prose):
    """Django's documentation (python-django-doc, HTML made by Sphinx): tutorials, topic guides, reference,
    FAQ (its questions) and release notes; code and the modules' source pages are left out."""
    return html_passages(sphinx_files(DJANGO_DIR), prose)


def apache_passages(prose):
    """The Apache HTTP Server manual (apache2-doc, English pages): prose sentences; directives' syntax,
    examples and the other languages are left out."""
    return html_passages(html_files(APACHE_DIR, recursive=True), prose)


def postgres_passages(prose):
    """PostgreSQL 15's manual (postgresql-doc-15, HTML): prose sentences of its chapters; its SQL commands'
    and functions' reference pages are mostly code and lose most of their sentences to the code filter."""
    return html_passages(html_files(POSTGRES_DIR), prose)


def git_passages(prose):
    """Git's manuals (git-doc, HTML made by asciidoc): the user manual, tutorials, FAQ (its questions), how-tos,
    technical notes and the commands' pages; commands, options and examples are left out."""
    return html_passages(html_files(GIT_DOC_DIR, recursive=True), prose)


def bash_passages(prose):
    """The Bash Reference Manual (bash-doc, bashref.html): prose sentences only (the manual page's HTML copy
    says the same and is left out)."""
    return html_passages([BASH_REF] if os.path.exists(BASH_REF) else [], prose)


# --- dictionaries (dictd format) ------------------------------------------------------------------------

DICTD_DIR = "/usr/share/dictd"


def dictd_text(name):
    path = os.path.join(DICTD_DIR, name + ".dict.dz")
    if not os.path.exists(path):
        return ""
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        return f.read()


def unlink_braces(text):
    """{cross reference} -> cross reference (the dictionaries' links)."""
    return re.sub(r"\{\s*([^{}]*?)\s*\}", r"\1", text)


def indented_paragraphs(data, indent):
    """Paragraphs whose every line is indented exactly `indent` spaces (the body text of a dictd entry;
    deeper indentation is code, verse or a table, none is a headword)."""
    out = []
    for para in re.split(r"\n[ \t]*\n", data):
        lines = [l for l in para.split("\n") if l.strip()]
        if lines and all(len(l) - len(l.lstrip(" ")) == indent and not l.startswith(" " * indent + "\t")
                         for l in lines):
            out.append(" ".join(l.strip() for l in lines))
    return out


def foldoc_passages(prose):
    """FOLDOC, the Free On-line Dictionary of Computing (dict-foldoc): its entries' paragraphs (close to
    package descriptions), cross-reference braces unwrapped and subject labels ("<programming>") removed.
    Examples, tables and code (indented deeper), dates and references with addresses are left out."""
    out = []
    for para in indented_paragraphs(dictd_text("foldoc"), 3):
        para = re.sub(r"^(?:<[^<>]*>\s*)+", "", para)  # subject labels: <programming> <language>
        para = re.sub(r"^\(([^()]*)\)\s+", "", para)   # the abbreviation the headword stands for
        para = unlink_braces(para)
        out.extend(sentence_runs(para, prose))
    return out


def jargon_passages(prose):
    """The Jargon File (dict-jargon): its entries' paragraphs, cross-reference braces unwrapped and the
    usage labels ("[common]", "[IBM]") and sense numbers removed. Headwords, pronunciations, examples and
    quotations set off by deeper indentation are left out."""
    out = []
    for para in indented_paragraphs(dictd_text("jargon"), 4):
        para = re.sub(r"^\d+\.\s+", "", para)
        para = re.sub(r"^(?:\[[^\]]*\]\s*)+", "", para)
        para = unlink_braces(para)
        out.extend(sentence_runs(para, prose, dialogue=True))
    return out


def devil_passages(prose):
    """The Devil's Dictionary by Ambrose Bierce (dict-devil): each definition with its headword and part of
    speech ("AGE, n.") removed, and the prose paragraphs after it. The verse quotations (indented) and their
    attributions are left out."""
    out = []
    for para in re.split(r"\n[ \t]*\n", dictd_text("devil")):
        lines = [l for l in para.split("\n") if l.strip()]
        if not lines or lines[0].startswith(" "):
            continue  # verse, attribution, or the dictionary's header
        text = " ".join(l.strip() for l in lines)
        text = re.sub(r"^[A-Z][A-Z' -]*[A-Z],\s+(?:(?:[a-z]{1,4}\.\s*)+|pp\.\s+)(?:\s|$)", "", text)
        if text:
            text = text[0].upper() + text[1:]
            out.extend(sentence_runs(text, prose, dialogue=True))
    return out


GCIDE_SOURCE_LINE = re.compile(r"^\s*\[(?:1913 Webster|Webster 1913 Suppl\.|PJC|RDH|WordNet[^\]]*|[^\]]{1,30})\]\s*$")


def looks_like_verse_lines(lines):
    """Lines of verse: most lines after the first start with a capital after a line that ended without a
    sentence's end (verse is set a line to a capital)."""
    if len(lines) < 2:
        return False
    starts = sum(1 for a, b in zip(lines, lines[1:]) if b[:1].isupper() and a.rstrip()[-1:] not in ".?!")
    return starts >= max(1, (len(lines) - 1) // 2)


def gcide_passages(prose):
    """GCIDE, the Collaborative International Dictionary of English (dict-gcide; Webster 1913 and additions):
    only the quotations illustrating a sense (text set off by deep indentation, followed by its author,
    "--Macaulay.") and the usage notes ("Note: ..."). Definitions are left out (fragments, with "; as, ..."
    examples), and so are verse, quotations cut short (". . ."), and anything with the dictionary's
    markup for accents or pronunciation ("[=o]")."""
    out = []
    for para in re.split(r"\n[ \t]*\n", dictd_text("gcide")):
        lines = [l for l in para.split("\n") if l.strip() and not GCIDE_SOURCE_LINE.match(l)]
        if not lines:
            continue
        first = lines[0]
        indent = len(first) - len(first.lstrip(" "))
        if first.lstrip().startswith("Note:") and indent <= 6:
            text = unlink_braces(" ".join(l.strip() for l in lines)[len("Note:"):].strip())
            text = re.sub(r"\s--\s?[A-Z][A-Za-z.' ]{0,40}?\.(?=\s|$)", "", text)  # a quotation's author
            out.extend(sentence_runs(text, prose))
            continue
        # a quotation: deeply indented lines, then "--Author." set far right (maybe wrapped to a second line)
        author = [i for i, l in enumerate(lines) if re.match(r"^\s{20,}--\S", l)]
        if indent < 9 or not author or author[0] == 0:
            continue
        quote = lines[:author[0]]
        if any(len(l) - len(l.lstrip(" ")) < 9 for l in quote) or looks_like_verse_lines([l.strip() for l in quote]):
            continue
        text = " ".join(l.strip() for l in quote)
        if ". ." in text or "..." in text:
            continue  # cut short: the marks around the cut are not the writer's
        out.extend(sentence_runs(unlink_braces(text), prose, dialogue=True))
    return out


# --- games ----------------------------------------------------------------------------------------------

CRAWL_DIR = "/usr/share/crawl/dat"  # crawl-common
SPEECH = re.compile(r"\b(?:says?|shouts?|asks?|yells?|screams?|whispers?|cries|bellows?|growls?|snarls?|"
                    r"mutters?|hisses?|roars?|sings?|intones?|booms?|thunders?|laughs?|pleads?|wails?|"
                    r"chants?|proclaims?|declares?|exclaims?|demands?|replies?|calls?)\b[^\"\u201c]*[\"\u201c]"
                    r"([^\"\u201c\u201d]+)[\"\u201d]")


def plain_paragraphs(text):
    """Paragraphs (blank-line separated) with their lines joined; None for verse."""
    out = []
    for para in re.split(r"\n[ \t]*\n", text):
        lines = [l.strip() for l in para.split("\n") if l.strip()]
        if lines and not looks_like_verse_lines(lines):
            out.append(" ".join(lines))
    return out


def crawl_passages(prose):
    """Dungeon Crawl Stone Soup's text (crawl-common, English only): the descriptions of monsters, items,
    spells, gods and places with their literary quotations (dat/descript), its help and FAQ, and what its
    monsters and gods say (dat/database: only the quoted speech, and only when its words are English
    dictionary words, since spells are gibberish). Keys, markup (<colour>, @templates@, $variables),
    attributions, verse and other languages are left out."""
    out = []
    if not os.path.isdir(CRAWL_DIR):
        return out
    words_ok = (lambda s: english(s, 0.9)) if VOCAB else None
    descript = os.path.join(CRAWL_DIR, "descript")
    database = os.path.join(CRAWL_DIR, "database")
    for d in (descript, database):
        for fn in sorted(os.listdir(d)):
            path = os.path.join(d, fn)
            if not fn.endswith(".txt") or not os.path.isfile(path):
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                data = f.read()
            speech = d == database and fn not in ("FAQ.txt", "help.txt")
            for entry in re.split(r"^%%%%\s*$", data, flags=re.M):
                lines = [l for l in entry.split("\n") if not l.startswith("#")]
                if speech:
                    for l in lines:
                        for m in SPEECH.finditer(l):
                            said = m.group(1).strip()
                            if "@" not in said and "$" not in said:
                                text = prose(said, min_words=4, dialogue=True)
                                if text and (words_ok is None or words_ok(text)):
                                    out.append(text)
                    continue
                body = []
                for l in lines:
                    if re.match(r"^\s+-\S", l) or re.match(r"^[QA]:\S*\s*$", l) or re.match(r"^[A-Z]:", l):
                        body.append("")  # an attribution ("    -Ovid, ..."), the FAQ's keys, markup
                        if re.match(r"^\s+-\S", l):
                            body.append("\x01")  # what follows until a blank line is the attribution
                        continue
                    body.append(l)
                text = "\n".join(body)
                text = re.sub(r"\x01\n[^\n]+(?:\n[^\n]+)*", "", text).replace("\x01", "")
                paras = plain_paragraphs(text)
                for para in paras[1:] if d == descript else paras:  # the first is the entry's key
                    if re.search(r"[<>{}@$\\|]", para):
                        continue
                    out.extend(sentence_runs(para, prose, min_words=5, dialogue=True))
    return out


FREECIV_DIR = "/usr/share/games/freeciv"          # freeciv-data
FREECIV_DOCS = "/usr/share/doc/freeciv-data"
FREECIV_STRING = re.compile(r'_\(\s*"((?:[^"\\]|\\.)*)"\s*\)', re.S)


def freeciv_passages(prose):
    """Freeciv's text (freeciv-data): the help (helpdata.txt), the rulesets' help texts and the nations'
    legends (every _("...") string, each a paragraph), and its FAQ (English; its questions and answers).
    Lists ("* ..."), generated tables ("$..."), format strings ("%s") and the translations are left out."""
    out = []
    if not os.path.isdir(FREECIV_DIR):
        return out
    for root, dirs, files in os.walk(FREECIV_DIR):
        dirs.sort()
        for fn in sorted(files):
            if not (fn.endswith(".ruleset") or fn == "helpdata.txt"):
                continue
            with open(os.path.join(root, fn), encoding="utf-8", errors="replace") as f:
                data = f.read()
            data = re.sub(r"^\s*;.*$", "", data, flags=re.M)  # comments
            for m in FREECIV_STRING.finditer(data):
                s = m.group(1).replace("\\\n", "").replace("\\n", "\n").replace('\\"', '"').replace("\\'", "'")
                if "?" in s[:1] or re.search(r"%\w|\[/?\w", s):
                    continue  # "?help:..." names, format strings, markup
                for para in re.split(r"\n\s*\n", s):
                    if re.search(r"^\s*[*$-]", para, flags=re.M):
                        continue  # lists, generated tables
                    para = re.sub(r"^\s*[A-Z]{2,}:\s+", "", para)  # "TIP: ..."
                    out.extend(sentence_runs(para, prose, min_words=5, dialogue=True))
    faq = os.path.join(FREECIV_DOCS, "FAQ.gz")
    if os.path.exists(faq):
        with gzip.open(faq, "rt", encoding="utf-8", errors="replace") as f:
            data = f.read()
        data = data.split("\n   Contents", 1)[-1]
        for para in re.split(r"\n[ \t]*\n", data):
            lines = [l.strip() for l in para.split("\n") if l.strip()]
            if not lines or any(re.match(r"^[*+|>$#-]|^\d+(\.\d+)*\s", l) and not
                                re.match(r"^\d+\.\d+\s+\S.*\?$", " ".join(lines)) for l in lines):
                continue
            text = re.sub(r"^\d+\.\d+\s+", "", " ".join(lines))  # a question's number
            out.extend(sentence_runs(text, prose, min_words=4, dialogue=True))
    return out


NETHACK_DAT = "/usr/lib/games/nethack/nhdat"  # nethack-common


def nethack_files():
    """{name: text} of the files in NetHack's dlb archive (a directory of names and offsets, then the files)."""
    if not os.path.exists(NETHACK_DAT):
        return {}
    with open(NETHACK_DAT, "rb") as f:
        data = f.read()
    head = data[:8192].decode("latin-1").split("\n")
    try:
        n = int(head[0].split()[1])
    except (IndexError, ValueError):
        return {}
    entries = []
    for line in head[1:1 + n]:
        parts = line.split()
        if len(parts) == 2 and parts[0].startswith("n") and parts[1].isdigit():
            entries.append((parts[0][1:], int(parts[1])))
    entries.sort(key=lambda e: e[1])
    out = {}
    for i, (name, off) in enumerate(entries):
        end = entries[i + 1][1] if i + 1 < len(entries) else len(data)
        out[name] = data[off:end].decode("utf-8", errors="replace")
    return out


def nethack_passages(prose):
    """NetHack's text (nethack-common): its encyclopedia (the data file: descriptions and literary quotations
    of monsters and objects) and the tribute (passages of Terry Pratchett's Discworld novels, much of it
    dialogue). The encyclopedia's keys, attributions ("[ ... ]"), verse and the "[...]" cuts are left out;
    the encrypted rumours and oracles are not read."""
    files = nethack_files()
    out = []
    data = files.get("data", "")
    # The encyclopedia: entries of key lines (no indent), then tab-indented text with "[ source ]" lines
    paras, cur = [], []
    for line in data.split("\n"):
        if line.startswith("\t") and line.strip() and not re.match(r"^\s*\[.*\]\s*$", line):
            cur.append(line.strip())
        else:  # a key, a blank line or an attribution ends a paragraph
            paras.append(cur)
            cur = []
    paras.append(cur)
    for lines in paras:
        lines = [l for l in lines if l]
        if lines and not looks_like_verse_lines(lines):
            out.extend(sentence_runs(" ".join(lines), prose, min_words=5, dialogue=True))
    tribute = files.get("tribute", "")
    for passage in re.findall(r"^%passage\b.*?\n(.*?)^%e passage", tribute, flags=re.S | re.M):
        text = "\n".join(l for l in passage.split("\n") if not l.startswith("#"))
        for para in plain_paragraphs(text):
            if para.startswith("[") and para.endswith("]"):
                continue  # attribution
            if "[...]" in para or "[" in para:
                continue  # cut short, or an editor's note
            out.extend(sentence_runs(para, prose, min_words=5, dialogue=True))
    return out


def data_files(top, suffix, skip_dirs=()):
    """Paths of the files under `top` whose names end with `suffix`, in a fixed order, folders named in
    `skip_dirs` (translations, tests) left out; none when `top` is not installed."""
    for root, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in skip_dirs)
        for fn in sorted(files):
            if fn.endswith(suffix):
                yield os.path.join(root, fn)


def read_text(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


WESNOTH_DIR = "/usr/share/games/wesnoth/1.16/data"  # wesnoth-1.16-data and the campaigns (wesnoth-1.16-*)
WESNOTH_KEYS = ("message", "female_message", "story", "description", "text", "note", "special_note", "reply",
                "help_text", "help_topic_text", "founddialogue", "caption")
WESNOTH_STRING = re.compile(r"^\s*(%s)\s*=\s*_\s*\"((?:[^\"]|\"\")*)\"" % "|".join(WESNOTH_KEYS), re.M)


def wesnoth_passages(prose):
    """The Battle for Wesnoth's text (wesnoth-1.16-data and the official campaigns wesnoth-1.16-*): the
    campaigns' dialogue (each character's line a passage: many questions), their story screens, the units'
    descriptions, the help and the tips. Names, objectives, markup (<i>, $variables) and the translations
    are left out."""
    out = []
    for path in data_files(WESNOTH_DIR, ".cfg", skip_dirs=("languages", "test", "schema")):
        for _, s in WESNOTH_STRING.findall(read_text(path)):
            s = s.replace('""', '"')
            for para in re.split(r"\n\s*\n", s):
                if re.search(r"[<>$&]|\{\w|^\s*[*-]", para, flags=re.M):
                    continue  # markup, variables, macros, lists
                out.extend(sentence_runs(para, prose, min_words=4, dialogue=True))
    return out


FREEDROID_DIR = "/usr/share/freedroidrpg/data"  # freedroidrpg-data
LUA_STRING = re.compile(r'_\s*"((?:[^"\\\n]|\\.)*)"')


def freedroid_passages(prose):
    """FreedroidRPG's text (freedroidrpg-data): its characters' dialogue (what Tux and the others say, and
    the player's choices: many questions), the items' and droids' descriptions and the story's titles.
    Format strings ("%s"), terminal and code listings and the translations are left out."""
    out = []
    if not os.path.isdir(FREEDROID_DIR):
        return out
    for root, dirs, files in os.walk(FREEDROID_DIR):
        dirs[:] = sorted(d for d in dirs if not (os.path.basename(root) == "titles" and d != "en"))
        for fn in sorted(files):
            if not fn.endswith(".lua"):
                continue
            with open(os.path.join(root, fn), encoding="utf-8", errors="replace") as f:
                data = f.read()
            for s in LUA_STRING.findall(data):
                s = s.replace('\\"', '"').replace("\\n", "\n").replace("\\'", "'")
                if re.search(r"%\w|[<>$\\]|\[/?\w", s):
                    continue
                for para in re.split(r"\n\s*\n", s):
                    out.extend(sentence_runs(para, prose, min_words=4, dialogue=True))
    return out


# --- manual pages and info manuals -------------------------------------------------------------------------

MAN_DIR = "/usr/share/man"   # every installed package's English manual pages (man1, man5, man7, man8)
MAN_SECTIONS = ("man1", "man5", "man7", "man8")
# Requests whose text is code, a command, an option or a file name (man and mdoc font and semantic macros):
# they stand in a paragraph as the placeholder \x00, which breaks its sentence out of the run
MAN_INLINE = set("B I BI BR IB IR RB RI SB SM CW UR UE MT ME OP SY YS Nm Fl Ar Cm Pa Xr Va Ev Dv Ic Li Ql Sy Em "
                 "Dq Sq Op Oo Oc Fn Fa Ft Fd Fo Fc Er Ad An At Bx Lk Mt Ms Pq Ns Pf St Tn Ux Vt Bq Brq Ao Ac Aq "
                 "Eo Ec Qo Qc Qq Do Dc So Sc Po Pc Bo Bc Xo Xc".split())
# Blocks that are code, tables or equations: skipped from their opening request to their closing one
MAN_VERBATIM = {"nf": "fi", "EX": "EE", "TS": "TE", "EQ": "EN", "Bd": "Ed", "DS": "DE", "PS": "PE", "ig": ".."}
MAN_ESCAPES = ((r"\-", "-"), (r"\(em", " \u2014 "), (r"\(en", " \u2013 "), (r"\(aq", "'"), (r"\(lq", '"'),
               (r"\(rq", '"'), (r"\(oq", "'"), (r"\(cq", "'"), (r"\(dq", '"'), (r"\*(lq", '"'), (r"\*(rq", '"'),
               (r"\*(Aq", "'"), (r"\&", ""), (r"\:", ""), (r"\/", ""), (r"\,", ""), (r"\%", ""), (r"\ ", " "),
               (r"\~", " "), (r"\0", " "), (r"\|", ""), (r"\^", ""), (r"\fR", ""), (r"\fP", ""), (r"\f[]", ""))
# A font change to bold or italic inside a line: command names, options, arguments (read as code)
MAN_FONT_RUN = re.compile(r"\\f(?:[BI]|\(CW|\[(?:B|I|BI|CW)\])(.*?)(?=\\f|$)")


def man_paragraphs(data):
    """Paragraphs of one roff manual page: runs of text lines between paragraph and section requests.
    Verbatim blocks, tables, a tagged paragraph's tag (.TP's next line) and the NAME and SYNOPSIS sections
    are left out; font runs and inline code macros become the placeholder \\x00."""
    paragraphs, para, skip_until, skip_section, tag_next = [], [], None, False, False

    def flush():
        if para:
            paragraphs.append(" ".join(para))
            para.clear()

    for line in data.split("\n"):
        if skip_until:
            if re.match(r"^[.']\s*%s\b" % re.escape(skip_until), line):
                skip_until = None
            continue
        m = re.match(r"^[.']\s*(\S*)\s*(.*)", line)
        if m:
            macro = m.group(1)
            if macro.startswith('\\"') or macro == "\\}":
                continue  # a comment
            if macro in MAN_VERBATIM:
                flush()
                skip_until = MAN_VERBATIM[macro]
            elif macro in ("SH", "Sh"):
                flush()
                skip_section = m.group(2).strip('"').upper() in ("NAME", "SYNOPSIS")
            elif macro in MAN_INLINE:
                if tag_next:
                    tag_next = False  # .TP's tag written as a font request (".B \-l")
                else:
                    para.append("\x00")
            else:
                flush()  # .PP, .TP, .IP, .SS, .sp, .br, .RS, .Pp, .It and the rest end a paragraph
                tag_next = macro == "TP"
            continue
        if tag_next:
            tag_next = False
            continue
        if skip_section or not line.strip():
            flush()
            continue
        line = MAN_FONT_RUN.sub(lambda f: " \x00 " if f.group(1).strip() else " ", line)
        for code, text in MAN_ESCAPES:
            line = line.replace(code, text)
        para.append(line)
    flush()
    return paragraphs


def man_passages(prose):
    """Prose of the installed English manual pages (sections 1, 5, 7, 8 of every package's pages): the
    descriptions' paragraphs, judged sentence by sentence (sentence_runs). Pages in other languages (their
    own directories) and links (.so) are not read; code, options and names in bold or italics break a
    sentence out of its passage."""
    out = []
    for section in MAN_SECTIONS:
        d = os.path.join(MAN_DIR, section)
        if not os.path.isdir(d):
            continue
        for fn in sorted(os.listdir(d)):
            path = os.path.join(d, fn)
            if not fn.endswith(".gz") or os.path.islink(path):
                continue
            try:
                with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
                    data = f.read(400_000)
            except (OSError, EOFError):
                continue
            if data.startswith(".so "):
                continue
            for para in man_paragraphs(data):
                # a word still holding a roff escape (\*(Tm, \s-1 ...) is not plain text: it breaks the run
                out.extend(sentence_runs(re.sub(r"\S*\\\S*", " \x00 ", para), prose))
    return out


INFO_DIR = "/usr/share/info"   # the GNU manuals (coreutils, grep, sed, gettext, gnupg, wget ...)
# Info copies of manuals another source reads in HTML (python3-doc, debian-policy, developers-reference, bash-doc)
INFO_READ_ELSEWHERE = ("python3", "debian-policy", "developers-reference", "bash")
# Inline code in an info manual: ‘quoted’, `quoted' or 'quoted' terms (not an apostrophe), cross references,
# upper-case arguments
INFO_CODE = re.compile(r"\u2018[^\u2019]*\u2019|`[^']*'|(?<!\w)'[^'\n]*'(?!\w)|\*[Nn]ote\b[^:]*::?|"
                       r"\b[A-Z]{2,}[-_A-Z0-9]*\b(?=\s*[=)])")


def info_passages(prose):
    """Prose of the installed info manuals: paragraphs whose lines all start in the first column (examples,
    lists and menus are indented or start with "*"), quoted code and cross references breaking sentences."""
    out = []
    if not os.path.isdir(INFO_DIR):
        return out
    for fn in sorted(os.listdir(INFO_DIR)):
        if not re.search(r"\.info(-\d+)?\.gz$", fn) or fn.startswith(INFO_READ_ELSEWHERE):
            continue
        try:
            with gzip.open(os.path.join(INFO_DIR, fn), "rt", encoding="utf-8", errors="replace") as f:
                data = f.read()
        except (OSError, EOFError):
            continue
        for node in data.split("\x1f"):
            for para in re.split(r"\n\s*\n", node):
                lines = para.strip("\n").split("\n")
                if not lines or any(not l or l[0] in " \t*=-" or l.startswith("File: ") for l in lines):
                    continue
                if len(lines) > 1 and re.match(r"^[=*.-]+$", lines[-1]):
                    continue  # a heading, underlined
                out.extend(sentence_runs(INFO_CODE.sub(" \x00 ", " ".join(lines)), prose))
    return out


# --- more game text: dialogue ---------------------------------------------------------------------------

def no_format_codes(sentence):
    """Whether a sentence holds no printf-style slot ("%s", "%d") or bracketed tag a game fills in."""
    return not re.search(r"%\w|%\(|<[^>]*>|\[[^\]]*\]|\{[^}]*\}", sentence)


ENDLESS_SKY_DIR = "/usr/share/games/endless-sky/data"   # endless-sky-data


def endless_sky_passages(prose):
    """Endless Sky's text (endless-sky-data): the missions' conversations (what the characters say, and the
    player's choices: many questions) and the planets', ships' and outfits' descriptions, each `quoted`
    string a paragraph. Sentences with a slot the game fills in ("<planet>", "<payment>") are left out."""
    out = []
    for path in data_files(ENDLESS_SKY_DIR, ".txt"):
        for s in re.findall(r"`([^`]+)`", read_text(path)):
            out.extend(sentence_runs(s, prose, min_words=4, dialogue=True, check=no_format_codes))
    return out


CATACLYSM_DIR = "/usr/share/games/cataclysm-dda"   # cataclysm-dda-data
# The JSON fields that hold prose: descriptions, the lore snippets' text, and the NPCs' dialogue
CATACLYSM_KEYS = {"description", "text", "dynamic_line", "offer", "yes", "no", "advice", "success", "failure",
                  "accepted", "rejected", "success_lie", "sound", "messages", "desc", "msg", "str", "snippets"}


def cataclysm_passages(prose):
    """Cataclysm: Dark Days Ahead's text (cataclysm-dda-data, its JSON data and mods): item, monster and
    place descriptions, lore snippets and the NPCs' dialogue (lines and the player's answers: many
    questions). Sentences with a slot the game fills in ("<name_b>", "%s") are left out."""
    out = []

    def strings(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                yield from strings(v, k if k in CATACLYSM_KEYS else (key if k in ("str", "str_pl") else None))
        elif isinstance(node, list):
            for v in node:
                yield from strings(v, key)
        elif isinstance(node, str) and key:
            yield node

    for path in data_files(CATACLYSM_DIR, ".json"):
        try:
            data = json.loads(read_text(path))
        except ValueError:
            continue
        for s in strings(data):
            for para in re.split(r"\n\s*\n", s):
                out.extend(sentence_runs(para, prose, min_words=4, dialogue=True, check=no_format_codes))
    return out


# gettext calls in Lua: _("..."), _"...", _([[...]]), _[[...]], pgettext("context", "...")
LUA_GETTEXT = re.compile(r'\b(?:_|gettext|pgettext\s*\(\s*"[^"\n]*"\s*,)\s*\(?\s*'
                         r'(?:"((?:[^"\\\n]|\\.)*)"|\[\[(.*?)\]\])', re.S)
NAEV_DIR = "/usr/share/naev/dat"                    # naev-data
WIDELANDS_DIR = "/usr/share/games/widelands/data"   # widelands-data


def lua_passages(top, prose):
    """Prose of a game's Lua scripts: every translatable string (the campaigns' and missions' story and
    dialogue, help texts), a blank line or a line break between paragraphs. Strings holding markup or a
    slot the game fills in lose those sentences."""
    out = []
    for path in data_files(top, ".lua", skip_dirs=("i18n", "locale", "test")):
        for quoted, long in LUA_GETTEXT.findall(read_text(path)):
            s = long or quoted.replace('\\"', '"').replace("\\n", "\n").replace("\\'", "'")
            for para in s.split("\n"):
                out.extend(sentence_runs(para, prose, min_words=4, dialogue=True, check=no_format_codes))
    return out


def naev_passages(prose):
    """Naev's text (naev-data): the missions' and events' dialogue and descriptions (gettext strings)."""
    return lua_passages(NAEV_DIR, prose)


def widelands_passages(prose):
    """Widelands' text (widelands-data): the campaigns' and tutorials' story and dialogue, the tribes' help."""
    return lua_passages(WIDELANDS_DIR, prose)


SOURCES = (
    ("debian manuals", debian_manual_passages),
    ("postgresql manual", postgres_passages),
    ("git manual", git_passages),
    ("bash manual", bash_passages),
    ("kernel docs", kernel_passages),
    ("django manual", django_passages),
    ("apache manual", apache_passages),
    ("foldoc", foldoc_passages),
    ("jargon file", jargon_passages),
    ("devil's dictionary", devil_passages),
    ("gcide", gcide_passages),
    ("crawl", crawl_passages),
    ("freeciv", freeciv_passages),
    ("nethack", nethack_passages),
    ("wesnoth", wesnoth_passages),
    ("freedroid", freedroid_passages),
    ("manual pages", man_passages),
    ("info manuals", info_passages),
    ("endless sky", endless_sky_passages),
    ("cataclysm", cataclysm_passages),
    ("naev", naev_passages),
    ("widelands", widelands_passages),
)
SOURCE_NAMES = tuple(name for name, _ in SOURCES)


def sources(prose, vocab=None):
    """{source name: passages} of every source here (prepare.py adds these names to TRAIN_ONLY_SOURCES).
    `prose` is prepare.prose; `vocab` a set of English words (lower case) for the language check."""
    global VOCAB
    VOCAB = vocab
    return {name: passages(prose) for name, passages in SOURCES}


def selftest(prose):
    """Checks of the parsing helpers (run by `prepare.py --selftest`)."""
    assert split_sentences('He said "soap." And then? "Yes!" she cried. See e.g. Apache. Mr. Smith came.') == [
        'He said "soap."', "And then?", '"Yes!" she cried.', "See e.g. Apache.", "Mr. Smith came."]
    page = ('<p>Run <code class="literal">ls</code> now. This lists the files in a directory. It is '
            'quick and it is safe.</p><div class="para">The GNU/Linux system is free software, by and '
            'large.</div><table><tr><td><p>A table cell is not prose at all.</p></td></tr></table>'
            '<h3>7.2. How do I list my files?</h3><h2>3.1. Installing things</h2>'
            '<dl class="c function"><dd><p>Returns the number of bytes it has read.</p></dd></dl>')
    got = html_paragraphs(drop_blocks(page, r'<dl class="c\b', "dl"))
    assert got == [(False, "Run \x00 now. This lists the files in a directory. It is quick and it is safe."),
                   (False, "The GNU Linux system is free software, by and large."),
                   (True, "How do I list my files?"), (True, "Installing things")], got
    assert sentence_runs(got[0][1], prose) == ["This lists the files in a directory. It is quick and it is safe."]
    assert sentence_runs("Use the --force option to do it. Wait. . . here it comes back again.", prose) == []
    assert unlink_braces("A {stack} of {data structures}.") == "A stack of data structures."
    assert prose('"Indeed? Then if I were you I\'d sue," he said.', dialogue=True)
    assert not prose('"Indeed? Then if I were you I\'d sue," he said.')
    assert looks_like_verse_lines(["I shot an arrow into the air,", "It fell to earth, I knew not where;"])
    assert not looks_like_verse_lines(["The fury of Glengarry rapidly", "abated when he saw them."])
    page = ('.TH LS 1\n.SH NAME\nls \\- list directory contents\n.SH DESCRIPTION\nList information about the'
            ' files.\nIt sorts them\n.BR alphabetically .\n.PP\nUse \\fB\\-a\\fR to see all of them. It is'
            ' quick.\n.TP\n.B \\-l\nLong listing, one file a line.\n.nf\nls -l /tmp\n.fi\nDon\\(aqt worry.\n')
    assert man_paragraphs(page) == ["List information about the files. It sorts them \x00", "Use  \x00  to see all"
                                    " of them. It is quick.", "Long listing, one file a line.", "Don't worry."]
    lua = 'text[1] = _([["Ready for %s?" she asks.]]) t = _("Who are you?") u = pgettext("ctx", "Fine.")'
    assert [q or l for q, l in LUA_GETTEXT.findall(lua)] == ['"Ready for %s?" she asks.', "Who are you?", "Fine."]
    assert not no_format_codes('"Ready for %s?" she asks.') and no_format_codes("Who are you?")
