/* 四双 · the member's pages: check in with the phone's location, photos before and after
 * the service. Each step keeps one Idempotency-Key until the API answers it (a lost
 * answer is retried with the same key; a refusal made no change, so the next try gets a
 * new one). What is shown afterwards (the distance, a flag) is what the API recorded:
 * the need's part is loaded again. */
(function () {
  "use strict";

  function statusOf(box) { return box.querySelector(".form-status"); }

  // -- 到场签到 -------------------------------------------------------------------------

  var WHY = {
    1: "您没有允许本页面使用位置。",
    2: "手机暂时定位不到您的位置（定位服务可能已关闭，或信号不好）。",
    3: "定位超时，没有取得您的位置。",
  };

  function located(box, button, position) {
    var id = box.dataset.checkin;
    var key = box.dataset.idemKey || (box.dataset.idemKey = Sishuang.uuid());
    var body = {
      lat: position.coords.latitude.toFixed(6),
      lon: position.coords.longitude.toFixed(6),
    };
    Sishuang.say(statusOf(box), "已取得位置，正在签到…", "busy");
    Sishuang.json("/api/v1/needs/" + encodeURIComponent(id) + "/check-in", "POST", body, key).then(function (res) {
      button.disabled = false;
      if (res.ok) {
        delete box.dataset.idemKey;
        Sishuang.say(statusOf(box), "已签到。", "ok");
        Sishuang.reloadParts();
        return;
      }
      if (res.status !== 0 && res.status < 500) delete box.dataset.idemKey;
      Sishuang.say(statusOf(box), Sishuang.explain(res, "到场签到"), "error");
    });
  }

  function unlocated(box, button, error) {
    button.disabled = false;
    var why = (error && WHY[error.code]) || "这部手机或浏览器不能提供位置。";
    Sishuang.say(statusOf(box), "没有签到：" + why + "请按下面的办法处理后再点「到场签到」。", "error");
    var help = box.querySelector(".checkin-help");
    if (help) help.hidden = false;
  }

  function checkIn(button) {
    var box = button.closest("[data-checkin]");
    if (!box || button.disabled) return;
    if (!navigator.geolocation) { unlocated(box, button, null); return; }
    button.disabled = true;
    Sishuang.say(statusOf(box), "正在取得您的位置，请在手机提示时选择“允许”…", "busy");
    navigator.geolocation.getCurrentPosition(
      function (position) { located(box, button, position); },
      function (error) { unlocated(box, button, error); },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 }
    );
  }

  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-action=check-in]") : null;
    if (el) checkIn(el);
  });

  // -- 服务前 / 服务后照片 -------------------------------------------------------------

  function attach(box, sha256) {
    var key = box.dataset.idemKey || (box.dataset.idemKey = Sishuang.uuid());
    var url = "/api/v1/needs/" + encodeURIComponent(box.dataset.order) + "/photos";
    return Sishuang.json(url, "POST", { sha256: sha256, kind: box.dataset.kind }, key).then(function (res) {
      if (res.ok || (res.status !== 0 && res.status < 500)) delete box.dataset.idemKey;
      return res;
    });
  }

  function upload(input) {
    var box = input.closest(".photo-upload");
    var file = input.files && input.files[0];
    if (!box || !file) return;
    var bar = box.querySelector("progress");
    var line = statusOf(box);
    input.disabled = true;
    if (bar) { bar.hidden = false; bar.value = 0; }
    Sishuang.say(line, "正在压缩并上传照片…", "busy");
    Sishuang.uploadPhoto(file, function (fraction) {
      if (bar) bar.value = Math.round(fraction * 100);
      Sishuang.say(line, "正在上传照片：" + Math.round(fraction * 100) + "%", "busy");
    }).then(function (res) {
      if (!res.ok) return res;
      Sishuang.say(line, "照片已上传，正在添加到这条需求…", "busy");
      return attach(box, res.body.sha256);
    }).then(function (res) {
      input.disabled = false;
      input.value = "";
      if (res.ok) {
        Sishuang.say(line, "照片已添加。", "ok");
        Sishuang.reloadParts();
        return;
      }
      if (bar) bar.hidden = true;
      Sishuang.say(line, Sishuang.explain(res, "拍照片"), "error");
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.matches && input.matches("[data-photo-input]")) upload(input);
  });
})();
