"""Files nobody should trust, for every way in that imports domain XML (the command, the import page, the API).

HOSTILE lists (id, a function giving the file's bytes for the Listener's URL, a regex the refusal's reason
must match).
"""

from __future__ import annotations

from tests.helpers import STARTER

MiB = 1024 * 1024


# -- the hostile files: (id, bytes given the listener's URL, what the reason must say) -------------------


def xxe(url: str) -> bytes:
    return (
        b"<?xml version='1.0'?>\n"
        b'<!DOCTYPE domain [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b"<domain type='kvm'><name>&xxe;</name><memory>524288</memory><vcpu>1</vcpu>"
        b"<os><type>hvm</type></os></domain>\n"
    )


def xxe_over_http(url: str) -> bytes:
    return (
        f"<?xml version='1.0'?>\n"
        f'<!DOCTYPE domain [<!ENTITY xxe SYSTEM "{url}/xxe">]>\n'
        f"<domain type='kvm'><name>&xxe;</name></domain>\n"
    ).encode()


def billion_laughs_text() -> str:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "&lol;") * 10}">' for i in range(1, 10)
    ]
    return (
        "<?xml version='1.0'?>\n<!DOCTYPE domain [\n  "
        + "\n  ".join(entities)
        + "\n]>\n<domain type='kvm'><name>&lol9;</name><description>&lol9;</description></domain>\n"
    )


def billion_laughs(url: str) -> bytes:
    return billion_laughs_text().encode()


def billion_laughs_after_a_long_comment(url: str) -> bytes:
    # The DOCTYPE further in than a quick look at the first few kilobytes would see.
    text = billion_laughs_text().replace("\n", "\n<!--" + "x" * 10_000 + "-->\n", 1)
    return text.encode()


def external_dtd(url: str) -> bytes:
    return (
        f"<?xml version='1.0'?>\n"
        f'<!DOCTYPE domain SYSTEM "{url}/domain.dtd">\n'
        f"<domain type='kvm'><name>demo</name></domain>\n"
    ).encode()


def external_parameter_entity(url: str) -> bytes:
    return (
        f"<?xml version='1.0'?>\n"
        f'<!DOCTYPE domain [<!ENTITY % remote SYSTEM "{url}/remote.dtd"> %remote;]>\n'
        f"<domain type='kvm'><name>&leak;</name></domain>\n"
    ).encode()


def utf16_doctype_entity(url: str) -> bytes:
    text = (
        "<?xml version='1.0' encoding='UTF-16'?>\n"
        f'<!DOCTYPE domain [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY net SYSTEM "{url}/utf16">]>\n'
        "<domain type='kvm'><name>&xxe;&net;</name></domain>\n"
    )
    return text.encode("utf-16")  # with a byte order mark


def utf16le_doctype_entity_without_bom(url: str) -> bytes:
    return utf16_doctype_entity(url)[2:]


def utf16_billion_laughs(url: str) -> bytes:
    return billion_laughs_text().replace("version='1.0'", "version='1.0' encoding='UTF-16'").encode("utf-16")


def truncated(url: str) -> bytes:
    data = STARTER.read_bytes()
    return data[: len(data) // 2]


def truncated_inside_a_tag(url: str) -> bytes:
    data = STARTER.read_bytes()
    return data[: data.index(b"<source file=") + len(b"<source fi")]


def html_page(url: str) -> bytes:
    return (
        b"<!DOCTYPE html>\n<html lang='en'>\n<head><meta charset='utf-8'><title>virsh dumpxml</title></head>\n"
        b"<body><h1>Saved the wrong page</h1><p>Not a domain<br>at all</p></body>\n</html>\n"
    )


def padded_description(url: str) -> bytes:
    head = b"<domain type='kvm'>\n  <name>huge</name>\n  <description>"
    tail = b"</description>\n  <memory unit='KiB'>524288</memory>\n  <vcpu>1</vcpu>\n</domain>\n"
    return head + b"A" * (20 * MiB - len(head) - len(tail)) + tail


def padded_comments(url: str) -> bytes:
    comment = b"<!-- " + b"padding " * 12 + b"-->\n"
    body = comment * (20 * MiB // len(comment) + 1)
    return b"<domain type='kvm'>\n  <name>huge</name>\n" + body + b"</domain>\n"


def deep_metadata(url: str) -> bytes:
    levels = 20_000
    return (
        b"<domain type='kvm'><name>deep</name><metadata>"
        + b"<a>" * levels
        + b"</a>" * levels
        + b"</metadata><memory>524288</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>"
    )


def moderately_deep_metadata(url: str) -> bytes:
    # Deeper than any real domain but within lxml's own limit of 256: the project's own cap must catch it.
    levels = 200
    return (
        b"<domain type='kvm'><name>deep</name><metadata>" + b"<a>" * levels + b"</a>" * levels + b"</metadata></domain>"
    )


HOSTILE = [
    ("xxe-file-entity", xxe, r"DOCTYPE"),
    ("xxe-http-entity", xxe_over_http, r"DOCTYPE"),
    ("billion-laughs", billion_laughs, r"DOCTYPE"),
    ("billion-laughs-after-long-comment", billion_laughs_after_a_long_comment, r"DOCTYPE"),
    ("external-dtd-http", external_dtd, r"DOCTYPE"),
    ("external-parameter-entity", external_parameter_entity, r"DOCTYPE"),
    ("empty", lambda url: b"", r"\bempty\b"),
    ("only-whitespace", lambda url: b"  \n\t\r\n   \n", r"\bempty\b"),
    ("truncated", truncated, r"truncated|not closed"),
    ("truncated-inside-a-tag", truncated_inside_a_tag, r"truncated|not closed"),
    ("invalid-utf8", lambda url: b"<domain type='kvm'><name>\xff\xfe</name></domain>", r"UTF-8|encoding"),
    ("network-root", lambda url: b"<network>\n  <name>default</name>\n</network>\n", r"<network>.*not <domain>"),
    ("json", lambda url: b'{"domain": {"type": "kvm", "name": "demo"}}\n', r"JSON"),
    ("html-page", html_page, r"HTML"),
    ("20MiB-description", padded_description, r"limit"),
    ("20MiB-comments", padded_comments, r"limit"),
    ("20000-levels-in-metadata", deep_metadata, r"deeply"),
    ("200-levels-in-metadata", moderately_deep_metadata, r"deeply"),
    ("utf16-doctype-entity", utf16_doctype_entity, r"DOCTYPE"),
    ("utf16le-doctype-entity-no-bom", utf16le_doctype_entity_without_bom, r"DOCTYPE"),
    ("utf16-billion-laughs", utf16_billion_laughs, r"DOCTYPE"),
]
