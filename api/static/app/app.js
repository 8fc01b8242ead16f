/* 四双 · the people's app and the staff consoles: sign-in, parts, commands. No framework; htmx loads parts.
 *
 * - The session (access + refresh token) is kept in localStorage; every request to
 *   /app/parts/, /console/parts/ or /api/v1 carries "Authorization: Bearer <access token>", refreshed
 *   before it expires and once more on a 401.
 * - A part is an element with hx-get="/app/parts/..."; a refusal is the API's JSON error,
 *   shown in the part's place with what to do next.
 * - A form with data-command="/api/v1/..." is sent as JSON (see formBody) with one
 *   Idempotency-Key kept until the command is answered, so pressing again after a
 *   lost answer does nothing twice. Its outcome is spoken in the form's status line.
 * Loaded in <head> without defer (it is small) so 大字 applies before the first paint.
 */
(function () {
  "use strict";

  var STORE = "sishuang.session";
  var BIG = "sishuang.big";
  var root = document.documentElement;
  try {
    if (localStorage.getItem(BIG) === "1") root.classList.add("big");
  } catch (e) { /* storage refused (private mode): normal size */ }

  // -- the session ----------------------------------------------------------------------

  var session = {
    get: function () {
      try { return JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { return null; }
    },
    keep: function (answer) {
      var value = {
        access_token: answer.access_token,
        refresh_token: answer.refresh_token,
        expires_at: Date.now() + (answer.expires_in_seconds || 900) * 1000,
        role: answer.role || null,
        scope_id: answer.scope_id || null,
        grant_id: answer.grant_id || null,
        account_id: answer.account_id || null,
      };
      try { localStorage.setItem(STORE, JSON.stringify(value)); } catch (e) { /* keep in memory only */ }
      memory = value;
      return value;
    },
    clear: function () {
      memory = null;
      try { localStorage.removeItem(STORE); } catch (e) { /* nothing kept */ }
    },
  };
  var memory = null;
  function current() { return session.get() || memory; }

  var refreshing = null;
  /* One refresh at a time, across the tabs of this browser: a refresh token is good for
   * one use, and the API ends the whole session when a used one comes again (two tabs
   * refreshing together would sign the person out). Under the lock the stored session
   * is read again: if another tab already refreshed, its tokens are used. */
  function refresh() {
    if (refreshing) return refreshing;
    var started = current();
    if (!started || !started.refresh_token) return Promise.resolve(false);
    var run = function () {
      var s = current();
      if (!s || !s.refresh_token) return Promise.resolve(false);
      if (s.refresh_token !== started.refresh_token) return Promise.resolve(true);
      return fetch("/api/v1/auth/refresh", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: s.refresh_token }),
      }).then(function (r) {
        if (r.ok) return r.json().then(function (b) { session.keep(b); return true; });
        if (r.status === 401 || r.status === 403 || r.status === 422) session.clear();
        return false;
      }, function () { return false; /* offline: keep the tokens, try later */ });
    };
    var locked = navigator.locks && navigator.locks.request
      ? navigator.locks.request("sishuang.refresh", run)
      : run();
    refreshing = Promise.resolve(locked).finally(function () { refreshing = null; });
    return refreshing;
  }

  function fresh() {
    var s = current();
    if (s && s.expires_at - Date.now() < 60000) return refresh();
    return Promise.resolve(Boolean(s));
  }

  /* To the sign-in page and back here after; ``why`` is a code the page turns into its
   * own sentence (expired, ended), never text carried in the link. */
  function signInAgain(why) {
    var next = location.pathname + location.search;
    var url = signInPath() + "?next=" + encodeURIComponent(next);
    if (why) url += "&why=" + encodeURIComponent(why);
    location.assign(url);
  }

  // -- talking to the API ---------------------------------------------------------------

  function headers(extra) {
    var h = Object.assign({}, extra || {});
    var s = current();
    if (s && s.access_token) h.Authorization = "Bearer " + s.access_token;
    return h;
  }

  /* fetch with the session; one refresh and retry on a 401. Resolves to
   * {ok, status, body, response}; a network failure resolves to {ok:false, status:0}. */
  function api(url, options) {
    options = options || {};
    var attempt = function () {
      var init = {
        method: options.method || "GET",
        headers: headers(options.headers),
        body: options.body,
      };
      return fetch(url, init).then(function (r) {
        var type = r.headers.get("content-type") || "";
        var read = type.indexOf("json") >= 0 ? r.json() : type.indexOf("text") >= 0 ? r.text() : r.blob();
        return read.then(function (body) {
          return { ok: r.ok, status: r.status, body: body, response: r };
        }, function () { return { ok: r.ok, status: r.status, body: null, response: r }; });
      }, function () { return { ok: false, status: 0, body: null }; });
    };
    return fresh().then(attempt).then(function (res) {
      // a refused code or password is an answer, not an expired session
      if (res.status !== 401 || !current() || /^\/api\/v1\/auth\/(phone-|sign-in|refresh)/.test(url)) return res;
      return refresh().then(function (ok) { return ok ? attempt() : res; });
    });
  }

  function json(url, method, body, key) {
    var h = { "Content-Type": "application/json" };
    if (key) h["Idempotency-Key"] = key;
    return api(url, { method: method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) {
      try { return crypto.randomUUID(); } catch (e) { /* not a secure context */ }
    }
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* What a person is told when a request did not go through: the API's own message
   * (it says what to do), or what to do for a status the API could not explain. */
  function explain(res, retryLabel) {
    var again = retryLabel ? "再点一次「" + retryLabel + "」" : "再试一次";
    if (res.status === 0) return "网络不通，没有收到回答。请检查网络后" + again + "（不会重复办理）。";
    var b = res.body && typeof res.body === "object" ? res.body : {};
    var message = b.message || "";
    if (res.status === 401) return message ? message + "。" : "登录已过期，请重新登录。";
    if (res.status === 429) {
      var wait = res.response && res.response.headers.get("Retry-After");
      if (message && /秒|分钟|稍后/.test(message)) return message + "。";
      return (message || "操作太频繁") + (wait ? "。请 " + wait + " 秒后再试。" : "。请稍后再试。");
    }
    if (res.status >= 500) return (message || "系统繁忙") + "。请稍后" + again + "（不会重复办理）。";
    if (res.status === 403) return (message || "没有权限") + "。如有疑问，请联系社区。";
    return message || "没有办成（错误 " + res.status + "）。请检查后" + again + "。";
  }

  // -- the status line -------------------------------------------------------------------

  function say(where, text, kind) {
    var line = where;
    if (!line || !line.classList || !line.classList.contains("form-status")) {
      line = (where && where.querySelector && where.querySelector(".form-status")) || document.getElementById("status");
    }
    if (!line) return;
    line.setAttribute("role", kind === "error" ? "alert" : "status");
    line.className = (line.id === "status" ? "toast " : "form-status ") + (kind || "");
    line.hidden = false;
    line.textContent = text;
    if (line.id === "status") {
      clearTimeout(say.timer);
      say.timer = setTimeout(function () { line.hidden = true; }, 6000);
    }
  }

  // -- forms as commands -----------------------------------------------------------------

  function setPath(target, path, value) {
    var keys = path.split(".");
    var at = target;
    for (var i = 0; i < keys.length - 1; i++) {
      if (typeof at[keys[i]] !== "object" || at[keys[i]] === null) at[keys[i]] = {};
      at = at[keys[i]];
    }
    var last = keys[keys.length - 1];
    if (Array.isArray(at[last])) at[last].push(value);
    else at[last] = value;
  }

  /* The JSON a form sends. A field's name is its path ("identity.post"); data-type says
   * how to read it: int, number (a decimal sent as text), bool (a checkbox: true/false),
   * list (checkboxes of one name, or lines of text). Empty fields are left out unless
   * data-keep-empty is set; a radio group sends its checked value. */
  function formBody(form) {
    var body = {};
    var lists = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.dataset.ignore !== undefined) return;
      if (el.type === "submit" || el.type === "button" || el.type === "file") return;
      var type = el.dataset.type || "";
      if (type === "list") {
        if (!(el.name in lists)) { lists[el.name] = []; }
        if (el.type === "checkbox") { if (el.checked) lists[el.name].push(el.value); }
        else el.value.split(/[\n,，、]/).map(function (v) { return v.trim(); })
          .filter(Boolean).forEach(function (v) { lists[el.name].push(v); });
        return;
      }
      if (type === "bool") { setPath(body, el.name, el.checked); return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      var value = el.value;
      if (value === "" && el.dataset.keepEmpty === undefined) return;
      if (type === "int") value = parseInt(value, 10);
      else if (type === "null-if-empty" && value === "") value = null;
      setPath(body, el.name, value);
    });
    Object.keys(lists).forEach(function (name) { setPath(body, name, lists[name]); });
    return body;
  }

  function fill(template, answer) {
    return template.replace(/\{(\w+)\}/g, function (_, k) {
      return answer && answer[k] !== undefined ? encodeURIComponent(answer[k]) : "";
    });
  }

  /* The app's pages and the staff consoles share this file; the page's body says which
   * it belongs to (data-frame: its sign-in page and home). */
  function frame() { return (document.body && document.body.dataset.frame) || "app"; }
  function signInPath() { return "/" + frame() + "/sign-in"; }
  function homePath() { return "/" + frame() + "/home"; }
  function safeNext(url) {
    var mine = new RegExp("^/" + frame() + "/[^/]");
    return typeof url === "string" && mine.test(url) && url.indexOf("//") < 0 ? url : homePath();
  }

  function after(form, res) {
    var then = form.dataset.then || "reload";
    if (then === "session") {
      session.keep(res.body);
      var next = safeNext(new URLSearchParams(location.search).get("next") || form.dataset.next);
      // a temporary password: the only thing the session may do is change it
      if (res.body && res.body.must_change_password) next = "/" + frame() + "/password?next=" + encodeURIComponent(next);
      location.assign(next);
      return;
    }
    if (then.indexOf("go:") === 0) { location.assign(fill(then.slice(3), res.body)); return; }
    if (then === "back") { history.length > 1 ? history.back() : location.assign(homePath()); return; }
    if (then === "none") return;
    reloadParts();
  }

  function submit(form, submitter) {
    if (form.dataset.busy === "1") return;
    if (form.reportValidity && !form.reportValidity()) return;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    var button = submitter || form.querySelector("[type=submit]");
    var label = button ? button.textContent.trim() : "";
    var key = form.dataset.idemKey || (form.dataset.idemKey = uuid());
    var body = formBody(form);
    if (form.dataset.extra) { try { Object.assign(body, JSON.parse(form.dataset.extra)); } catch (e) { /* none */ } }
    if (submitter && submitter.name && submitter.value && !submitter.dataset.ignore) setPath(body, submitter.name, submitter.value);
    if (form.sishuangBody) body = form.sishuangBody(body);
    form.dataset.busy = "1";
    form.setAttribute("aria-busy", "true");
    if (button) { button.disabled = true; button.dataset.label = label; button.textContent = "正在提交…"; }
    say(form, "正在提交，请稍候…", "busy");
    var url = fill(submitter && submitter.dataset.command || form.dataset.command, body);
    var hadSession = Boolean(current());
    json(url, (form.dataset.method || "POST").toUpperCase(), body, key).then(function (res) {
      form.dataset.busy = "0";
      form.removeAttribute("aria-busy");
      if (button) { button.disabled = false; button.textContent = button.dataset.label || label; }
      if (res.ok) {
        delete form.dataset.idemKey;
        form.dataset.lost = "0";
        say(form, form.dataset.done || "已办好。", "ok");
        if ((form.dataset.then || "reload") === "reload") say(null, form.dataset.done || "已办好。", "ok");
        form.dispatchEvent(new CustomEvent("sishuang:done", { detail: res, bubbles: true }));
        after(form, res);
        return;
      }
      var lostBefore = form.dataset.lost === "1";
      form.dataset.lost = res.status === 0 || res.status >= 500 ? "1" : "0";
      if (res.status !== 0 && res.status < 500) delete form.dataset.idemKey; // refused: nothing was done
      if (res.status === 409 && lostBefore) {
        // the first press may have gone through though its answer was lost: show what is
        say(form, "上一次提交可能已经办好了，请看页面上的最新状态。", "ok");
        reloadParts();
        return;
      }
      if (res.status === 401 && hadSession && !current()) { signInAgain("expired"); return; }
      mark(form, res.body);
      say(form, explain(res, label), "error");
    });
  }

  /* Point at the fields a refusal names (the API's errors[].field). */
  function mark(form, body) {
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) { el.removeAttribute("aria-invalid"); });
    var errors = body && Array.isArray(body.errors) ? body.errors : [];
    var first = null;
    errors.forEach(function (e) {
      var el = e.field && form.elements.namedItem(e.field);
      if (el && el.setAttribute) { el.setAttribute("aria-invalid", "true"); first = first || el; }
    });
    if (first && first.focus) first.focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.command) return;
    event.preventDefault();
    submit(form, event.submitter);
  });

  // -- parts (htmx) ----------------------------------------------------------------------

  function reloadParts(scope) {
    var parts = (scope || document).querySelectorAll("[data-part]");
    Array.prototype.forEach.call(parts, function (el) {
      if (window.htmx) htmx.trigger(el, "reload");
    });
  }

  document.addEventListener("htmx:confirm", function (event) {
    var path = event.detail.path || "";
    if (path.indexOf("/app/parts/") !== 0 && path.indexOf("/console/parts/") !== 0) return;
    var s = current();
    if (!s || s.expires_at - Date.now() >= 60000) return;
    event.preventDefault();
    refresh().then(function () { event.detail.issueRequest(); });
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var s = current();
    if (s && s.access_token) event.detail.headers.Authorization = "Bearer " + s.access_token;
  });

  function errorPart(text, retry) {
    var p = document.createElement("div");
    p.className = "notice error";
    p.setAttribute("role", "alert");
    var t = document.createElement("p");
    t.textContent = text;
    p.appendChild(t);
    if (retry) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "button";
      b.dataset.action = "retry-part";
      b.textContent = "重试";
      p.appendChild(b);
    }
    return p.outerHTML;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status < 400) return;
    var body = null;
    try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
    if (xhr.status === 401) {
      // an access token the server finds expired (the phone's clock may differ): not an
      // error to log, refresh the session and load the part again
      event.detail.shouldSwap = false;
      event.detail.isError = false;
      refresh().then(function (ok) {
        if (ok) htmx.trigger(event.detail.elt, "reload");
        else signInAgain("ended");
      });
      return;
    }
    if (xhr.status === 403 && body && body.code === "password_change_required" && !/\/password$/.test(location.pathname)) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
      location.assign("/" + frame() + "/password?next=" + encodeURIComponent(location.pathname + location.search));
      return;
    }
    event.detail.shouldSwap = true;
    event.detail.isError = false;
    var res = { status: xhr.status, body: body, response: { headers: { get: function (h) { return xhr.getResponseHeader(h); } } } };
    event.detail.serverResponse = errorPart(explain(res), xhr.status >= 500 || xhr.status === 429);
  });

  document.addEventListener("htmx:sendError", function (event) {
    var target = event.detail.target || event.detail.elt;
    if (target) target.innerHTML = errorPart(explain({ status: 0 }), true);
  });

  // -- small behaviours ------------------------------------------------------------------

  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-action]") : null;
    if (!el) return;
    var action = el.dataset.action;
    if (action === "big-text") {
      var on = !root.classList.contains("big");
      root.classList.toggle("big", on);
      el.setAttribute("aria-pressed", on ? "true" : "false");
      try { localStorage.setItem(BIG, on ? "1" : "0"); } catch (e) { /* this page only */ }
    } else if (action === "back") {
      if (history.length > 1) { event.preventDefault(); history.back(); }
    } else if (action === "retry-part") {
      var part = el.closest("[data-part]");
      if (part && window.htmx) htmx.trigger(part, "reload");
    } else if (action === "sign-out") {
      json("/api/v1/auth/sign-out", "POST").then(function () { session.clear(); location.assign(document.body.dataset.entrance || "/" + frame() + "/"); });
    }
  });

  /* Photos a part shows come from /api/v1/photos, which needs the session: an
   * <img data-photo="sha256"> is filled from a blob once its part arrives. */
  function showPhotos(scope) {
    Array.prototype.forEach.call((scope || document).querySelectorAll("img[data-photo]:not([src])"), function (img) {
      api("/api/v1/photos/" + encodeURIComponent(img.dataset.photo)).then(function (res) {
        if (res.ok && res.body instanceof Blob) img.src = URL.createObjectURL(res.body);
        else img.alt = (img.alt || "照片") + "（暂时无法显示）";
      });
    });
  }

  // -- photos: compressed on the phone, uploaded with progress ---------------------------

  var PHOTO_EDGE = 1600;     // the longer side after compression, in pixels
  var PHOTO_QUALITY = 0.8;   // JPEG quality

  /* A camera photo made small enough for a slow network: JPEG, longer side at most
   * PHOTO_EDGE. Resolves to a Blob (the original when it cannot be decoded here, e.g.
   * HEIC in a browser that does not read it: the server accepts that too). */
  function compress(file) {
    return new Promise(function (resolve) {
      if (!file.type || file.type.indexOf("image/") !== 0 || !window.createImageBitmap && !window.Image) { resolve(file); return; }
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, PHOTO_EDGE / Math.max(img.naturalWidth, img.naturalHeight));
        var w = Math.max(1, Math.round(img.naturalWidth * scale));
        var h = Math.max(1, Math.round(img.naturalHeight * scale));
        var canvas = document.createElement("canvas");
        canvas.width = w; canvas.height = h;
        canvas.getContext("2d").drawImage(img, 0, 0, w, h);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (blob) {
          resolve(blob && blob.size < file.size ? blob : file);
        }, "image/jpeg", PHOTO_QUALITY);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(file); };
      img.src = url;
    });
  }

  /* Upload one photo to /api/v1/photos: progress(fraction 0..1) while it goes; resolves
   * to {ok, status, body} like api() (body.sha256 on success). XMLHttpRequest, because
   * fetch reports no upload progress. */
  function uploadPhoto(file, progress) {
    return fresh().then(function () { return compress(file); }).then(function (blob) {
      return new Promise(function (resolve) {
        var xhr = new XMLHttpRequest();
        xhr.open("POST", "/api/v1/photos");
        var h = headers({ "Content-Type": blob.type || "application/octet-stream" });
        Object.keys(h).forEach(function (k) { xhr.setRequestHeader(k, h[k]); });
        xhr.upload.onprogress = function (e) { if (progress && e.lengthComputable) progress(e.loaded / e.total); };
        xhr.onload = function () {
          var body = null;
          try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
          var res = { ok: xhr.status >= 200 && xhr.status < 300, status: xhr.status, body: body,
            response: { headers: { get: function (n) { return xhr.getResponseHeader(n); } } } };
          if (progress && res.ok) progress(1);
          resolve(res);
        };
        xhr.onerror = function () { resolve({ ok: false, status: 0, body: null }); };
        xhr.send(blob);
      });
    });
  }

  // -- a phone proven with a code (sign-in, and the join page) ---------------------------

  /* The code form asks for a code (its button then waits out the resend interval); the
   * form its data-verifies names sends the code with the phone typed in the first. */
  function phoneCode(codeForm) {
    var verifyForm = document.getElementById(codeForm.dataset.verifies);
    var phone = codeForm.querySelector("[name=phone]");
    var send = codeForm.querySelector("[type=submit]");
    var code = verifyForm && verifyForm.querySelector("[name=code]");
    if (!verifyForm || !phone || !send || !code) return;
    verifyForm.sishuangBody = function (body) {
      body.phone = phone.value.trim();
      return body;
    };
    verifyForm.addEventListener("submit", function (event) {
      if (!phone.value.trim()) {
        event.stopImmediatePropagation();
        event.preventDefault();
        say(verifyForm, "请先填写手机号码并获取验证码。", "error");
        phone.focus();
      }
    }, true);
    codeForm.addEventListener("sishuang:done", function (event) {
      var b = event.detail.body || {};
      var left = b.resend_after_seconds || parseInt(codeForm.dataset.resendSeconds, 10) || 0;
      send.disabled = true;
      var tick = function () {
        if (left <= 0) { send.disabled = false; send.textContent = "重新获取验证码"; return; }
        send.textContent = left + " 秒后可重新获取";
        left -= 1;
        setTimeout(tick, 1000);
      };
      setTimeout(tick, 0); // after submit() has put the button's label back
      code.focus();
    });
  }

  function ready() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-verifies]"), phoneCode);
    var needs = document.body.dataset.needsSession === "yes";
    if (needs && !current()) { signInAgain(""); return; }
    var s = current();
    Array.prototype.forEach.call(document.querySelectorAll("[data-when-role]"), function (el) {
      var roles = el.dataset.whenRole.split(" ");
      el.hidden = !(s && roles.indexOf(s.role) >= 0);
    });
    // A part with data-poll-seconds is loaded again that often, only while the page is
    // in sight (no requests from a phone in a pocket); the container is not a live
    // region, so a screen reader does not read the whole part out each time.
    Array.prototype.forEach.call(document.querySelectorAll("[data-poll-seconds]"), function (el) {
      var seconds = Math.max(15, parseInt(el.dataset.pollSeconds, 10) || 60);
      setInterval(function () {
        if (document.visibilityState === "visible" && window.htmx) htmx.trigger(el, "reload");
      }, seconds * 1000);
    });
    var big = document.querySelector("[data-action=big-text]");
    if (big) big.setAttribute("aria-pressed", root.classList.contains("big") ? "true" : "false");
    showPhotos(document);
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    showPhotos(event.detail.target);
    document.dispatchEvent(new CustomEvent("sishuang:part", { detail: event.detail.target }));
  });
  document.addEventListener("DOMContentLoaded", ready);

  window.Sishuang = {
    api: api,
    json: json,
    uuid: uuid,
    say: say,
    explain: explain,
    session: { current: current, keep: session.keep, clear: session.clear, refresh: refresh },
    reloadParts: reloadParts,
    safeNext: safeNext,
    homePath: homePath,
    signInAgain: signInAgain,
    formBody: formBody,
    compress: compress,
    uploadPhoto: uploadPhoto,
    showPhotos: showPhotos,
  };
})();
