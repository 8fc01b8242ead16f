/* 四双 · the resident's and the grid worker's pages: the place from the phone's
 * location, photos uploaded as they are chosen (with progress), the rating stars, and a
 * resident registered on the spot chosen for the 微心愿卡. No rule of the domain here:
 * the forms send what the person chose, and the API answers.
 */
(function () {
  "use strict";

  function S() { return window.Sishuang; }

  // this area's styles, also on pages it shares with others (the need's page)
  if (!document.querySelector("link[href='/static/app/people.css']")) {
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = "/static/app/people.css";
    document.head.appendChild(css);
  }

  // -- the place: the browser's location, or nothing (the grid and the words say it) ----

  function placeStatus(form, text, kind) {
    var line = form.querySelector(".place-status");
    if (!line) return;
    line.textContent = text;
    line.className = "place-status " + (kind || "");
  }

  function setPlace(form, lat, lon) {
    var la = form.querySelector("input[name=lat][data-place]");
    var lo = form.querySelector("input[name=lon][data-place]");
    if (la) la.value = lat;
    if (lo) lo.value = lon;
    var clear = form.querySelector("[data-action=place-clear]");
    if (clear) clear.hidden = lat === "";
  }

  var REFUSED = "没有拿到位置：定位被拒绝了。可以在浏览器的网站设置里允许“位置”后再点一次；" +
    "也可以不用定位，选好网格，并在需要帮什么忙里写明地址（如 3 号楼 2 单元）。";
  var FAILED = "这次没有定位成功（信号不好或超时）。可以到窗边或室外再点一次；" +
    "也可以不用定位，选好网格，并在内容里写明地址。";

  function locate(button) {
    var form = button.closest("form");
    if (!form) return;
    if (!navigator.geolocation) { placeStatus(form, "这部手机的浏览器不能定位。请选好网格，并在内容里写明地址。", "error"); return; }
    button.disabled = true;
    placeStatus(form, "正在定位，请稍候…（手机问是否允许使用位置时，请点“允许”）", "busy");
    navigator.geolocation.getCurrentPosition(function (pos) {
      button.disabled = false;
      setPlace(form, pos.coords.latitude.toFixed(6), pos.coords.longitude.toFixed(6));
      var near = pos.coords.accuracy ? "（误差约 " + Math.round(pos.coords.accuracy) + " 米）" : "";
      placeStatus(form, "已用您现在的位置" + near + "。不在需求地点时，请点“不用定位”。", "ok");
    }, function (err) {
      button.disabled = false;
      setPlace(form, "", "");
      placeStatus(form, err && err.code === 1 ? REFUSED : FAILED, "error");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-action]") : null;
    if (!el) return;
    if (el.dataset.action === "place-locate") { event.preventDefault(); locate(el); }
    else if (el.dataset.action === "place-clear") {
      var form = el.closest("form");
      setPlace(form, "", "");
      placeStatus(form, "不用定位。请选好网格，并在内容里写明地址。", "");
    } else if (el.dataset.action === "photo-remove") {
      var item = el.closest("li");
      if (item) item.remove();
    }
  });

  // -- photos: each one uploaded when chosen; the form sends the list of sha256 ----------

  function photoItem(list, file) {
    var li = document.createElement("li");
    li.className = "photo-item";
    var img = document.createElement("img");
    img.alt = "要上传的照片：" + (file.name || "照片");
    try { img.src = URL.createObjectURL(file); } catch (e) { /* no preview */ }
    var box = document.createElement("div");
    var label = document.createElement("span");
    label.className = "small";
    label.textContent = "正在上传…";
    var bar = document.createElement("progress");
    bar.max = 1;
    bar.value = 0;
    bar.setAttribute("aria-label", "照片上传进度");
    box.appendChild(label);
    box.appendChild(bar);
    li.appendChild(img);
    li.appendChild(box);
    list.appendChild(li);
    return { li: li, box: box, label: label, bar: bar };
  }

  function pending(form) { return form.querySelectorAll(".photo-item[data-uploading]").length; }

  function upload(form, list, file) {
    var item = photoItem(list, file);
    item.li.dataset.uploading = "1";
    S().uploadPhoto(file, function (f) { item.bar.value = f; }).then(function (res) {
      delete item.li.dataset.uploading;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "quiet";
      remove.dataset.action = "photo-remove";
      if (res.ok && res.body && res.body.sha256) {
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = "photos";
        field.dataset.type = "list";
        field.value = res.body.sha256;
        item.li.appendChild(field);
        item.label.textContent = "已上传";
        item.bar.value = 1;
        remove.textContent = "删掉这张";
      } else {
        item.label.textContent = "没有传上去：" + S().explain(res, "拍照或选照片");
        item.label.className = "small form-status error";
        item.bar.remove();
        remove.textContent = "知道了";
      }
      item.box.appendChild(remove);
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-photos]")) {
      var form = input.closest("form");
      var list = input.closest("fieldset").querySelector(".photo-list");
      Array.prototype.forEach.call(input.files || [], function (file) { upload(form, list, file); });
      input.value = "";
      return;
    }
    if (input.matches && input.matches("[data-stars] input[type=radio]")) light(input);
  });

  // A form is not sent while a photo is still on its way (capture: before app.js).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.command) return;
    if (pending(form) > 0) {
      event.preventDefault();
      event.stopImmediatePropagation();
      S().say(form, "照片还在上传，请等进度条走完再提交。", "error");
    }
  }, true);

  // -- the stars: the chosen one and those before it light up -----------------------------

  var WORDS = { 1: "1 星：很不满意", 2: "2 星：不满意", 3: "3 星：一般", 4: "4 星：满意", 5: "5 星：非常满意" };

  function light(input) {
    var group = input.closest("[data-stars]");
    var chosen = parseInt(input.value, 10);
    Array.prototype.forEach.call(group.querySelectorAll("label"), function (label) {
      var radio = label.querySelector("input");
      label.classList.toggle("on", Boolean(radio) && parseInt(radio.value, 10) <= chosen);
    });
    var words = group.querySelector(".star-words");
    if (words) words.textContent = "您选了 " + (WORDS[chosen] || chosen + " 星");
  }

  // -- the 微心愿卡: a resident registered here is the one the card is for -----------------

  document.addEventListener("sishuang:done", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-new-resident]")) return;
    var body = event.detail && event.detail.body;
    var select = document.getElementById("resident_id");
    if (!body || !body.resident_id || !select) return;
    var name = (form.elements.namedItem("name") || {}).value || "新登记的居民";
    var option = document.createElement("option");
    option.value = body.resident_id;
    option.textContent = name + "（刚登记）";
    select.appendChild(option);
    select.value = body.resident_id;
    form.reset();
    var status = form.querySelector(".form-status");
    if (status) S().say(status, "已登记「" + name + "」，下面的求助居民已选好。", "ok");
  });
})();
