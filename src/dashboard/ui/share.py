""""Copy link to this view": one small button that copies the browser's current address.

Every page keeps its state in the URL (language, filters, selection, tab, slide), so the address
bar *is* the link to the view. The button reads `window.location.href` at click time — after any
widget change, back/forward step or slide change — rather than a URL rebuilt on the server
(which would miss parameters a page writes later in the same run). It is a tiny
`st.components.v2` component (rendered in the page's DOM, no iframe, no network):

* copies with the Clipboard API when the page is a secure context (https or localhost),
* otherwise falls back to selecting the link in a read-only field and `document.execCommand("copy")`,
* always shows the link it copied, so it can also be selected by hand.
"""

from __future__ import annotations

import streamlit as st

from dashboard.ui.state import tr

_HTML = """
<div class="share">
  <button type="button" class="share-button" aria-label="">
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path fill="currentColor"
      d="M3.9 12a3.1 3.1 0 0 1 3.1-3.1h4V7H7a5 5 0 0 0 0 10h4v-1.9H7A3.1 3.1 0 0 1 3.9 12zM8 13h8v-2H8v2zm9-6h-4v1.9h4a3.1
      3.1 0 1 1 0 6.2h-4V17h4a5 5 0 0 0 0-10z"/></svg>
    <span class="share-label"></span>
  </button>
  <span class="share-status" role="status" aria-live="polite"></span>
  <input class="share-url" type="text" readonly hidden>
</div>
"""

_CSS = """
.share { display: flex; flex-wrap: wrap; align-items: center; gap: 0.35rem 0.6rem; font: inherit; }
.share-button {
  display: inline-flex; align-items: center; gap: 0.4rem; font: inherit; font-size: 1rem; line-height: 1.4;
  color: #1b1f24; background: #ffffff; border: 1px solid #aab2bd; border-radius: 0.5rem;
  padding: 0.3rem 0.75rem; cursor: pointer; min-height: 2.5rem;
}
.share-button:hover { border-color: #0072B2; color: #0072B2; }
.share-button:focus-visible { outline: 2px solid #0072B2; outline-offset: 2px; }
.share-status { font-size: 0.95rem; color: #1b1f24; }
.share-url { width: 100%; font: inherit; font-size: 0.9rem; padding: 0.25rem 0.4rem; border: 1px solid #aab2bd;
  border-radius: 0.35rem; color: #1b1f24; background: #f7f9fb; }
"""

_JS = """
export default function (component) {
  const { parentElement, data } = component;
  const root = parentElement;
  const button = root.querySelector(".share-button");
  const label = root.querySelector(".share-label");
  const status = root.querySelector(".share-status");
  const field = root.querySelector(".share-url");
  label.textContent = data.label;
  button.setAttribute("aria-label", data.label);
  button.title = data.label;
  const onClick = async () => {
    const url = window.location.href;
    field.value = url;
    field.hidden = Boolean(data.compact);
    let copied = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(url);
        copied = true;
      }
    } catch (error) {
      copied = false;
    }
    if (!copied) {
      field.hidden = false;
      field.focus();
      field.select();
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    }
    status.textContent = copied ? data.copied : data.manual;
  };
  button.addEventListener("click", onClick);
  return () => button.removeEventListener("click", onClick);
}
"""

_share_link = st.components.v2.component("share_link", html=_HTML, css=_CSS, js=_JS)


def copy_link(key: str = "share_link", *, compact: bool = False) -> None:
    """The "copy link to this view" button (client-side; no rerun when clicked).

    `compact` (for the presenter's control bar) shows the copied link only when copying failed.
    """
    _share_link(key=key, width="content" if compact else "stretch",
                data={"label": tr("share.copy"), "copied": tr("share.copied"), "manual": tr("share.manual"),
                      "compact": compact})
