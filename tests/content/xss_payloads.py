"""Known XSS payloads, and what "inert" means for HTML we render from them.

Used as Markdown bodies and as front-matter values (summary, strengths, weaknesses, FAQ)
by tests/content, and by the Chromium test that opens rendered pages and asserts that no
script runs and no dialog opens. Each payload is one string; most are raw HTML (which the
renderer escapes and the sanitizer would strip), the rest Markdown link/image syntax with
dangerous URLs, entity/case/whitespace tricks, and template syntax that must not evaluate.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

PAYLOADS: list[str] = [
    # script tags
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<<script>script>alert(1)<</script>/script>",
    '<scr<script>ipt>alert(1)</scr</script>ipt>',
    # event handlers
    "<img src=x onerror=alert(1)>",
    '<img src="/media/chart.png" onerror="alert(1)">',
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    "<details open ontoggle=alert(1)>",
    '<div onmouseover="alert(1)">hover</div>',
    # javascript:, data:, vbscript: URLs in raw HTML (entity-encoded, mixed case, whitespace)
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    # the same in Markdown links and images
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](jav&#x09;ascript:alert(1))",
    "[click](&#x6A;avascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](data:text/html,<script>alert(1)</script>)",
    "[click](vbscript:msgbox(1))",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x" onerror="alert(1)](/media/chart.png)',
    '[x](/media/chart.png "t\\" onmouseover=\\"alert(1)")',
    "<https://example.com/\"onmouseover=\"alert(1)>",
    # SVG, MathML, iframes, plugins
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph>"
    "</table></mtext></math>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    # document-level tricks
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<link rel=stylesheet href=//evil.example/x.css>",
    "<style>@import 'https://evil.example/x.css';</style>",
    # style and expression()
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="width: expression(alert(1))">x</p>',
    # parser confusion
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    # template injection: must come out as text, never evaluated
    "{{ 7*7 }}",
    "{{ config.items() }}{% for x in range(3) %}loop{% endfor %}",
    '{{ price "openai/gpt-4o" "input" }}"><script>alert(1)</script>',
]

FORBIDDEN_TAGS = frozenset({
    "script", "iframe", "frame", "frameset", "svg", "math", "object", "embed", "base", "meta",
    "form", "input", "button", "textarea", "select", "style", "link", "body", "html", "head",
    "video", "audio", "source", "details", "template", "noscript", "applet",
})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data",
                            "srcdoc", "poster", "background", "srcset"})
_BAD_SCHEME = re.compile(r"^(javascript|data|vbscript):")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        data_block = tag == "script" and ("type", "application/ld+json") in attrs
        if tag in FORBIDDEN_TAGS and not data_block:      # JSON-LD is data, never run
            self.problems.append(f"<{tag}> tag")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name} attribute on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None:
                probe = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
                if _BAD_SCHEME.match(probe):
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def inert_problems(html: str) -> list[str]:
    """What makes this HTML unsafe (empty when it is inert). A <script> of type
    application/ld+json is allowed: browsers never execute it."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.problems


def assert_inert(html: str, context: str = "") -> None:
    problems = inert_problems(html)
    assert not problems, f"{context}: {problems}\n{html[:2000]}"
