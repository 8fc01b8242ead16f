/* Sign-in by phone: ask for a code (the button waits out the resend interval), then
 * sign in with it; the phone typed in the first form is sent with the second. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var codeForm = document.getElementById("code-form");
    var signInForm = document.getElementById("sign-in-form");
    if (!codeForm || !signInForm) return;
    var phone = document.getElementById("phone");
    var send = document.getElementById("send-code");
    var code = document.getElementById("code");
    signInForm.sishuangBody = function (body) {
      body.phone = phone.value.trim();
      return body;
    };
    signInForm.addEventListener("submit", function (event) {
      if (!phone.value.trim()) {
        event.stopImmediatePropagation();
        event.preventDefault();
        Sishuang.say(signInForm, "请先填写手机号码并获取验证码。", "error");
        phone.focus();
      }
    }, true);
    codeForm.addEventListener("sishuang:done", function (event) {
      var wait = (event.detail.body && event.detail.body.resend_after_seconds) || 60;
      var label = send.dataset.label || send.textContent;
      var left = wait;
      send.disabled = true;
      var tick = function () {
        if (left <= 0) { send.disabled = false; send.textContent = "重新获取验证码"; return; }
        send.textContent = left + " 秒后可重新获取";
        left -= 1;
        setTimeout(tick, 1000);
      };
      // after app.js has put the label back
      setTimeout(function () { send.dataset.label = label; tick(); }, 0);
      code.focus();
    });
  });
})();
