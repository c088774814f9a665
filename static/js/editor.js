// Domain Builder: small behaviours on top of server-rendered pages and htmx. No inline scripts.
"use strict";

// -- help tooltips: open on hover and keyboard focus, close on Esc or when leaving -------------
(function () {
  let open = null;
  let closeTimer = null;

  function tipOf(field) { return field && field.querySelector(":scope > .tooltip"); }
  function show(field) {
    const tip = tipOf(field);
    if (!tip) return;
    clearTimeout(closeTimer);
    if (open && open !== tip) hide();
    tip.hidden = false;
    place(tip, field);
    const button = field.querySelector(".help");
    if (button) button.setAttribute("aria-expanded", "true");
    open = tip;
  }
  // Below the field, unless that leaves the screen or covers the field's error messages.
  function place(tip, field) {
    tip.classList.remove("above");
    const hasErrors = field.querySelector(".field-errors p");
    const box = tip.getBoundingClientRect();
    if (hasErrors || box.bottom > window.innerHeight) {
      tip.classList.add("above");
      if (tip.getBoundingClientRect().top < 0) tip.classList.remove("above");
    }
  }
  function hide() {
    if (!open) return;
    open.hidden = true;
    const button = open.parentElement.querySelector(".help");
    if (button) button.setAttribute("aria-expanded", "false");
    open = null;
  }
  function later() { clearTimeout(closeTimer); closeTimer = setTimeout(hide, 200); }

  document.addEventListener("mouseover", (e) => {
    const target = e.target.closest(".help, .tooltip");
    if (target) show(target.closest(".field"));
  });
  document.addEventListener("mouseout", (e) => {
    const target = e.target.closest(".help, .tooltip");
    if (target && !(e.relatedTarget && target.closest(".field").contains(e.relatedTarget) &&
                    e.relatedTarget.closest(".help, .tooltip"))) later();
  });
  document.addEventListener("focusin", (e) => {
    const field = e.target.closest(".field");
    if (field && (e.target.matches(".help") || e.target.closest(".field-line") || e.target.closest(".tooltip"))) show(field);
    else hide();
  });
  document.addEventListener("focusout", (e) => {
    if (!e.relatedTarget || !e.target.closest(".field")?.contains(e.relatedTarget)) later();
  });
  document.addEventListener("click", (e) => {
    const button = e.target.closest(".help");
    if (button) { const tip = tipOf(button.closest(".field")); if (tip && !tip.hidden && open === tip) hide(); else show(button.closest(".field")); }
  });
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && open) { hide(); e.stopPropagation(); } });
})();

// -- fields that apply only for some values of another (a disk's file vs block source) ---------
function applyWhen(root) {
  (root || document).querySelectorAll("[data-when]").forEach((field) => {
    const rules = JSON.parse(field.dataset.when);
    let show = true;
    for (const [id, rule] of Object.entries(rules)) {
      const control = document.getElementById("id_" + id);
      const value = (control && control.value) || rule.default;
      if (!rule.values.includes(value)) show = false;
    }
    field.hidden = !show;
  });
}
document.addEventListener("DOMContentLoaded", () => applyWhen());
document.addEventListener("change", () => applyWhen());

// -- "Generate" for MAC addresses and UUIDs ---------------------------------------------------
function randomHex(bytes) {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0"));
}
document.addEventListener("click", (e) => {
  const button = e.target.closest("[data-generate]");
  if (!button) return;
  const input = document.getElementById(button.dataset.for);
  if (button.dataset.generate === "mac") input.value = "52:54:00:" + randomHex(3).join(":");
  else {
    const h = randomHex(16);
    h[6] = ((parseInt(h[6], 16) & 0x0f) | 0x40).toString(16).padStart(2, "0");
    h[8] = ((parseInt(h[8], 16) & 0x3f) | 0x80).toString(16).padStart(2, "0");
    const s = h.join("");
    input.value = [s.slice(0, 8), s.slice(8, 12), s.slice(12, 16), s.slice(16, 20), s.slice(20)].join("-");
  }
  input.dispatchEvent(new Event("input", { bubbles: true }));
  input.dispatchEvent(new Event("change", { bubbles: true }));
});

// -- the live preview sends only the parts that were typed in ------------------------------
// The page shows the stored values, so a section or device whose controls all still hold the
// values the page came with is left out, and the server takes it as stored (builder/editor/
// posted.py); "changed_part" names the others, so a part whose boxes were all unticked still
// counts. A page showing values that are not saved (a refused save) has no data-preview-partial
// and sends everything.
(function () {
  const PART = /^(\w+)-/;
  function changed(el) {
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") return Array.from(el.options).some((o) => o.selected !== o.defaultSelected);
    return "defaultValue" in el && el.value !== el.defaultValue;
  }
  document.addEventListener("htmx:configRequest", (e) => {
    const form = e.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-preview-partial")) return;
    const typed = new Set();
    for (const el of form.elements) {
      const part = PART.exec(el.name || "");
      if (part && !typed.has(part[1]) && changed(el)) typed.add(part[1]);
    }
    const data = e.detail.formData;
    for (const name of new Set(data.keys())) {
      const part = PART.exec(name);
      if (part && !typed.has(part[1])) data.delete(name);
    }
    data.append("partial", "1");
    typed.forEach((part) => data.append("changed_part", part));
  });
})();

// -- unsaved changes are never lost by a stray click away -----------------------------------
// Each form keeps its own dirty state: saving one form does not forget edits in another, and a
// page that came back refused (422) starts dirty, since what it shows is not saved.
(function () {
  const dirty = new Set();
  function mark(form) {
    dirty.add(form);
    document.querySelectorAll(".dirty-note").forEach((n) => (n.hidden = false));
  }
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-dirty-guard][data-dirty]").forEach(mark);
  });
  document.addEventListener("input", (e) => {
    const form = e.target.closest("form[data-dirty-guard]");
    if (form) mark(form);
  });
  document.addEventListener("submit", (e) => { dirty.delete(e.target); });
  window.addEventListener("beforeunload", (e) => { if (dirty.size) { e.preventDefault(); e.returnValue = ""; } });
})();

// -- import: one request per file, with a progress bar ----------------------------------------
document.addEventListener("submit", async (e) => {
  const form = e.target;
  if (form.id !== "import-form") return;
  const files = Array.from(form.querySelector("#files").files);
  const pasted = form.querySelector("#pasted").value.trim();
  const bundle = form.querySelector("#bundle");
  if (files.length < 2 || pasted || (bundle && bundle.files.length)) return; // one file or pasted text: the plain form post is enough
  e.preventDefault();
  const wrap = form.querySelector(".progress-wrap");
  const bar = form.querySelector("progress");
  const text = form.querySelector(".progress-text");
  const list = document.getElementById("import-results");
  const token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  list.innerHTML = "";
  wrap.hidden = false;
  bar.max = files.length;
  let done = 0, failed = 0;
  for (const file of files) {
    const body = new FormData();
    body.append("file", file);
    let html;
    try {
      const response = await fetch(form.dataset.fileUrl, { method: "POST", body, headers: { "X-CSRFToken": token } });
      html = await response.text();
      if (!response.ok) failed++;
    } catch (err) {
      failed++;
      html = `<li class="result failed"><strong></strong>: <span class="problem error">error: the server did not answer</span></li>`;
      html = html.replace("<strong></strong>", "<strong>" + file.name.replace(/[<&]/g, "") + "</strong>");
    }
    list.insertAdjacentHTML("beforeend", html);
    done++;
    bar.value = done;
    text.textContent = `${done} of ${files.length} files${failed ? `, ${failed} failed` : ""}`;
  }
  form.querySelector("#files").value = "";
});

// -- coloured XML --------------------------------------------------------------------------
// The server sends the XML as plain escaped text in <pre class="xml">; its tokens get the
// classes of static/css/xml.css here, on load and in every htmx swap (the preview, once per
// keystroke, costs the server nothing for it and is half the size). Only text nodes and spans
// are made, from the text itself: whatever the text, it reads back whole, and never as markup.
// The text comes from lxml's serializer, which writes a value's or a text's "<" and ">" as
// entities: a raw ">" ends a tag, except in comments and processing instructions, matched first.
const XML_TOKEN = /(<!--[\s\S]*?-->)|(<!\[CDATA\[[\s\S]*?\]\]>|<[?!][\s\S]*?>)|(<\/?[^\s<>&/]+)([^>]*)>/g;
const XML_ATTRIBUTE = /(\s)([^\s=]+)(=)("[^"]*"|'[^']*')/g;

function colourXml(pre) {
  const text = pre.textContent;
  const out = document.createDocumentFragment();
  const plain = (s) => { if (s) out.append(s); };
  const span = (cls, s) => {
    const el = document.createElement("span");
    el.className = cls;
    el.textContent = s;
    out.append(el);
  };
  let last = 0;
  for (const m of text.matchAll(XML_TOKEN)) {
    plain(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[1]) { span("c", m[1]); continue; }
    if (m[2]) { span("cp", m[2]); continue; }
    const closing = m[4].endsWith("/");
    const attrs = closing ? m[4].slice(0, -1) : m[4];
    span("nt", m[3]);
    let at = 0;
    for (const a of attrs.matchAll(XML_ATTRIBUTE)) {
      plain(attrs.slice(at, a.index) + a[1]);
      span("na", a[2]);
      plain(a[3]);
      span("s", a[4]);
      at = a.index + a[0].length;
    }
    plain(attrs.slice(at));
    span("nt", closing ? "/>" : ">");
  }
  plain(text.slice(last));
  pre.replaceChildren(out);
}
function colourXmlIn(root) {
  if (!root || !root.querySelectorAll) return;
  if (root.matches("pre.xml")) colourXml(root);
  root.querySelectorAll("pre.xml").forEach(colourXml);
}
// htmx fires htmx:load for the body once it has processed the page, then for each element swapped in.
document.addEventListener("htmx:load", (e) => colourXmlIn(e.detail.elt));
