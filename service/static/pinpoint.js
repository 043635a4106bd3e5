// Progressive enhancement for the Pinpoint page: everything works without this file.
// Served from /static so the page runs under Content-Security-Policy default-src 'self'.
(function () {
  "use strict";

  var announcer = document.getElementById("announcer");

  function announce(message) {
    if (!announcer) return;
    // Clearing first makes screen readers repeat the same message on a second copy.
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = message; }, 50);
  }

  function copyWithSelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return copyWithSelection(text); });
    }
    return copyWithSelection(text);
  }

  function enableCopyButtons() {
    var buttons = document.querySelectorAll("button.copy[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var label = button.textContent;
        copy(button.getAttribute("data-copy")).then(function () {
          announce("Copied");
          button.classList.add("copied");
          button.textContent = "Copied";
          window.setTimeout(function () {
            button.textContent = label;
            button.classList.remove("copied");
          }, 1500);
        }, function () {
          announce("Copying failed: open “Cite this source” and select the text instead");
        });
      });
    });
  }

  // The style picker re-renders the citations by resubmitting its form (a GET, so
  // the URL keeps the chosen style); without script the Search/Apply buttons do it.
  function submitStyleOnChange() {
    var pickers = document.querySelectorAll("select.style-picker");
    Array.prototype.forEach.call(pickers, function (picker) {
      picker.addEventListener("change", function () {
        var form = picker.form;
        if (!form) return;
        var quote = form.querySelector("textarea[name=quote]");
        var query = form.querySelector("input[name=q]");
        // An empty search form would only show the intro again; keep the choice for later.
        if ((quote && !quote.value.trim()) || (query && !query.value.trim())) return;
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      });
    });
  }

  // "/" jumps to the search box, as on many search sites, unless the reader is typing.
  function slashToSearch() {
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
      var target = event.target;
      var typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      if (typing) return;
      var box = document.getElementById("q") || document.getElementById("quote");
      if (!box) return;
      event.preventDefault();
      box.focus();
      if (box.select) box.select();
    });
  }

  enableCopyButtons();
  submitStyleOnChange();
  slashToSearch();
})();
