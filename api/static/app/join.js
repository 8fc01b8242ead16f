/* The page a community's QR code opens: choose 党员报到 or 居民登记; prove the phone with
 * a code if there is no session yet (the session of a phone with no grant has the role
 * "public", which is what the registrations need); then the chosen form, whose answer
 * holds the new session of the member's or resident's grant: kept, then home. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("join");
    if (!root) return;
    var sections = {
      choose: document.getElementById("choose"),
      verify: document.getElementById("verify"),
      member: document.getElementById("member"),
      resident: document.getElementById("resident"),
    };
    var wanted = "";
    var phoneInput = document.getElementById("phone");
    var verifiedPhone = "";

    function show(name) {
      Object.keys(sections).forEach(function (k) { sections[k].hidden = k !== name; });
      Array.prototype.forEach.call(root.querySelectorAll(".join-choice"), function (b) {
        b.setAttribute("aria-expanded", b.dataset.choose === wanted && name !== "choose" ? "true" : "false");
      });
      Array.prototype.forEach.call(root.querySelectorAll("[data-phone-line]"), function (p) {
        p.textContent = verifiedPhone ? "已验证手机号：" + verifiedPhone : "将使用您已验证的手机号。";
      });
      var heading = sections[name].querySelector("h2");
      if (heading && name !== "choose") {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    }

    function choose(kind) {
      wanted = kind;
      if (!kind) { show("choose"); return; }
      show(Sishuang.session.current() ? kind : "verify");
    }

    root.addEventListener("click", function (event) {
      var el = event.target.closest ? event.target.closest("[data-choose]") : null;
      if (!el) return;
      choose(el.dataset.choose);
    });

    // -- the phone, proven with a code (app.js wires the two forms) -----------------------
    var verifyForm = document.getElementById("verify-form");  // wired by app.js (phoneCode)
    verifyForm.addEventListener("sishuang:done", function (event) {
      Sishuang.session.keep(event.detail.body);
      verifiedPhone = phoneInput.value.trim();
      show(wanted || "choose");
    });

    // -- the registrations: keep the new grant's session, then home ------------------------
    function registered(role, scopeOf) {
      return function (event) {
        var b = event.detail.body || {};
        if (b.token && b.refresh_token) {
          Sishuang.session.keep({
            access_token: b.token,
            refresh_token: b.refresh_token,
            role: role,
            scope_id: scopeOf(b),
          });
        }
        location.assign("/app/home");
      };
    }
    var community = root.dataset.community;
    document.getElementById("member-form").addEventListener(
      "sishuang:done", registered("member", function (b) { return b.member_id; }));
    document.getElementById("resident-form").addEventListener(
      "sishuang:done", registered("resident", function () { return community; }));
  });
})();
