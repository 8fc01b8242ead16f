/* 四双 · the staff consoles' behaviours on top of app.js (session, parts, commands):
 * ledgers (sort, page and filters kept in the filter form the part includes), exports
 * fetched with the session, and enrolling a 动态口令. */
(function () {
  "use strict";

  var S = window.Sishuang;

  function formOf(part) {
    var include = part && part.getAttribute("hx-include");
    return include ? document.querySelector(include) : null;
  }
  function field(form, name) { return form && form.querySelector("[name=" + name + "]"); }
  function reload(part) { if (part && window.htmx) htmx.trigger(part, "reload"); }
  function partOf(form) { return form && document.querySelector(form.dataset.filters); }

  // -- ledgers -------------------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-sort], [data-page], [data-download], [data-action=reset-filters]") : null;
    if (!el) return;
    if (el.dataset.download !== undefined) { download(el); return; }
    if (el.dataset.action === "reset-filters") {
      var f = el.form;
      setTimeout(function () { if (field(f, "page")) field(f, "page").value = "1"; reload(partOf(f)); }, 0);
      return;
    }
    var part = el.closest("[data-part]");
    var form = formOf(part);
    if (!form) return;
    if (el.dataset.sort) {
      var sort = field(form, "sort"), dir = field(form, "dir");
      if (sort.value === el.dataset.sort) dir.value = dir.value === "desc" ? "asc" : "desc";
      else { sort.value = el.dataset.sort; dir.value = el.dataset.dir || "asc"; }
      field(form, "page").value = "1";
    } else {
      field(form, "page").value = el.dataset.page;
    }
    part.dataset.focus = el.dataset.sort ? "[data-sort='" + el.dataset.sort + "']" : "[data-page]:not([disabled])";
    reload(part);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.filters) return;
    event.preventDefault();
    if (field(form, "page")) field(form, "page").value = "1";
    reload(partOf(form));
  });

  var typing = null;
  function changed(event) {
    var form = event.target.form;
    if (!form || !form.dataset.filters || event.target.type === "hidden") return;
    clearTimeout(typing);
    var wait = event.type === "input" ? 450 : 0;
    typing = setTimeout(function () {
      if (field(form, "page")) field(form, "page").value = "1";
      reload(partOf(form));
    }, wait);
  }
  document.addEventListener("change", function (event) { if (event.target.type !== "search" && event.target.type !== "text") changed(event); });
  document.addEventListener("input", function (event) { if (event.target.type === "search" || event.target.type === "text") changed(event); });

  // focus stays where the keyboard was after a sort or a page turn
  document.addEventListener("htmx:afterSwap", function (event) {
    var part = event.detail.target;
    if (!part || !part.dataset || !part.dataset.focus) return;
    var again = part.querySelector(part.dataset.focus);
    delete part.dataset.focus;
    if (again) again.focus();
  });

  // -- exports: the API's file, fetched with the session ------------------------------
  function filename(res, fallback) {
    var cd = res.response && res.response.headers.get("content-disposition") || "";
    var star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
    if (star) { try { return decodeURIComponent(star[1]); } catch (e) { /* fall through */ } }
    var plain = /filename="?([^";]+)"?/i.exec(cd);
    return plain ? plain[1] : fallback;
  }

  function download(button) {
    var params = new URLSearchParams();
    var form = button.dataset.include ? document.querySelector(button.dataset.include) : null;
    if (form) {
      new FormData(form).forEach(function (v, k) { if (v !== "" && k !== "page" && k !== "size") params.append(k, v); });
    }
    params.set("format", button.dataset.format || "xlsx");
    var url = button.dataset.download + (button.dataset.download.indexOf("?") >= 0 ? "&" : "?") + params.toString();
    var label = button.textContent;
    button.disabled = true;
    button.textContent = "正在导出…";
    S.api(url).then(function (res) {
      button.disabled = false;
      button.textContent = label;
      if (!res.ok || !(res.body instanceof Blob)) { S.say(null, S.explain(res, label), "error"); return; }
      var a = document.createElement("a");
      a.href = URL.createObjectURL(res.body);
      a.download = filename(res, "导出." + (button.dataset.format || "xlsx"));
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      S.say(null, "已导出：" + a.download, "ok");
    });
  }

  // -- 动态口令: the address the API returns, shown as a QR code to scan ----------------
  document.addEventListener("sishuang:done", function (event) {
    var form = event.target;
    if (form.id !== "totp-enroll") return;
    var uri = event.detail.body && event.detail.body.otpauth_uri;
    var box = document.getElementById("totp-qr");
    if (!uri || !box) return;
    S.json("/console/parts/totp-qr", "POST", { text: uri }).then(function (res) {
      if (!res.ok) { S.say(form, S.explain(res), "error"); return; }
      box.innerHTML = res.body;
      var secret = new URL(uri).searchParams.get("secret") || "";
      var p = document.createElement("p");
      p.className = "small";
      p.textContent = "无法扫码时，在验证器中手动输入密钥：" + secret.replace(/(.{4})/g, "$1 ").trim();
      box.appendChild(p);
      box.hidden = false;
      var confirm = document.getElementById("totp-confirm");
      if (confirm) { confirm.hidden = false; confirm.querySelector("input").focus(); }
    });
  });

  // -- who is signed in, in the header --------------------------------------------------
  document.addEventListener("sishuang:part", function (event) {
    var part = event.detail;
    var who = document.getElementById("who");
    if (!who || !part || !part.classList || !part.classList.contains("side")) return;
    var name = part.querySelector(".role");
    if (name) who.textContent = name.innerText.split(/\n+/).map(function (t) { return t.trim(); }).filter(Boolean).join(" · ");
  });
})();
