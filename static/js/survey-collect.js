/* Survey collection page (templates/surveys/collect.html).
 *
 * Each saved respondent goes into a queue in localStorage first and leaves it only when the
 * server has confirmed it (201 created or 200 already stored). Each carries a UUID made
 * here, so sending it again after a lost answer never stores it twice. Offline, the page
 * says how many are waiting and sends them when the browser is back online.
 * No dependencies; CSP forbids inline scripts, so everything is here.
 */
(function () {
  "use strict";
  var form = document.getElementById("respondent-form");
  var status = document.getElementById("queue-status");
  if (!form || !status) return;

  var endpoint = form.dataset.endpoint;
  var queueKey = "kotan-survey-queue-" + form.dataset.survey;
  var sentKey = "kotan-survey-sent-" + form.dataset.survey;
  var rejectedKey = "kotan-survey-rejected-" + form.dataset.survey;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var items = Array.prototype.slice.call(form.querySelectorAll("[data-item]"));
  var hint = document.getElementById("pick-setting-hint");
  var sending = false;
  var note = "";

  function newUuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function read(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function write(key, value) { localStorage.setItem(key, JSON.stringify(value)); }
  function msg(name, values) {
    var text = status.dataset["msg" + name] || "";
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }

  function render() {
    var queue = read(queueKey, []);
    var rejected = read(rejectedKey, []);
    var offline = !navigator.onLine;
    var main = queue.length ? msg("Waiting", { n: queue.length }) : msg("AllSent");
    var detail = [msg("Sent", { n: read(sentKey, 0) })];
    if (offline) detail.unshift(msg("Offline"));
    else if (note) detail.unshift(note);
    if (rejected.length) {
      detail.push(msg("Rejected", { n: rejected.length, detail: rejected[rejected.length - 1].detail }));
    }
    status.querySelector("[data-part=line]").textContent = main;
    status.querySelector("[data-part=detail]").textContent = detail.join(" · ");
    status.dataset.waiting = String(queue.length);
    status.dataset.online = offline ? "0" : "1";
    status.classList.toggle("alert-warning", queue.length > 0 || offline);
    status.classList.toggle("alert-success", queue.length === 0 && !offline);
    status.classList.toggle("alert-secondary", false);
  }

  function removeFromQueue(uuid) {
    write(queueKey, read(queueKey, []).filter(function (r) { return r.uuid !== uuid; }));
  }

  function flush() {
    if (sending || !navigator.onLine) { render(); return Promise.resolve(); }
    var queue = read(queueKey, []);
    if (!queue.length) { render(); return Promise.resolve(); }
    sending = true;
    var respondent = queue[0];
    return fetch(endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(respondent)
    }).then(function (response) {
      if (response.ok) {
        note = "";
        removeFromQueue(respondent.uuid);
        write(sentKey, read(sentKey, 0) + 1);
        return true;
      }
      if (response.status === 400) {
        // The server will never accept it as it is: keep it aside, visibly, not in the queue.
        return response.json().then(function (body) {
          var rejected = read(rejectedKey, []);
          rejected.push({ respondent: respondent, detail: JSON.stringify(body.errors || body) });
          write(rejectedKey, rejected);
          removeFromQueue(respondent.uuid);
          return true;
        });
      }
      return false; // logged out (403) or server trouble (5xx): keep it and retry later
    }).catch(function () {
      return false; // no connection
    }).then(function (progressed) {
      sending = false;
      render();
      if (progressed) return flush();
    });
  }

  function showItems() {
    var checked = form.querySelector("input[name=setting]:checked");
    var setting = checked ? checked.value : "";
    items.forEach(function (fieldset) {
      var asked = setting && fieldset.dataset.settings.split(" ").indexOf(setting) !== -1;
      fieldset.hidden = !asked;
      fieldset.disabled = !asked;
    });
    if (hint) hint.hidden = Boolean(setting);
  }

  function answerOf(fieldset) {
    var code = fieldset.dataset.item;
    if (fieldset.dataset.type === "number") {
      var input = fieldset.querySelector("input");
      return input.value === "" ? null : input.value;
    }
    var checked = fieldset.querySelector("input[name='a-" + code + "']:checked");
    return checked ? checked.value : null;
  }

  function valueOf(name) {
    var field = form.elements[name];
    return field ? field.value : "";
  }

  form.addEventListener("change", function (event) {
    if (!form.elements.started_at.value) form.elements.started_at.value = new Date().toISOString();
    if (event.target.name === "setting") showItems();
    var fieldset = event.target.closest("[data-item]");
    if (fieldset) fieldset.classList.remove("unanswered");
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var answers = {};
    var missing = null;
    items.forEach(function (fieldset) {
      if (fieldset.hidden) return;
      var value = answerOf(fieldset);
      if (value === null) {
        fieldset.classList.add("unanswered");
        missing = missing || fieldset;
      } else {
        answers[fieldset.dataset.item] = value;
      }
    });
    if (!valueOf("kelurahan")) missing = missing || form.elements.kelurahan;
    if (!form.querySelector("input[name=setting]:checked")) {
      missing = missing || form.querySelector("[data-required=setting]");
    }
    if (missing) {
      note = msg("Missing");
      render();
      missing.scrollIntoView({ block: "center" });
      return;
    }
    var respondent = {
      uuid: valueOf("uuid"),
      kelurahan: valueOf("kelurahan"),
      setting: form.querySelector("input[name=setting]:checked").value,
      sex: (form.querySelector("input[name=sex]:checked") || {}).value || "",
      age_group: (form.querySelector("input[name=age_group]:checked") || {}).value || "",
      answers: answers,
      started_at: valueOf("started_at") || null,
      finished_at: new Date().toISOString()
    };
    var queue = read(queueKey, []);
    queue.push(respondent);
    write(queueKey, queue);
    // Next respondent: same kelurahan and setting (an enumerator works one area at a time),
    // everything else cleared, a fresh UUID.
    var kelurahan = respondent.kelurahan;
    var setting = respondent.setting;
    form.reset();
    form.elements.kelurahan.value = kelurahan;
    form.querySelector("input[name=setting][value='" + setting + "']").checked = true;
    form.elements.uuid.value = newUuid();
    form.elements.started_at.value = "";
    showItems();
    note = msg("Saved");
    render();
    window.scrollTo(0, 0);
    flush();
  });

  window.addEventListener("online", function () { flush(); });
  window.addEventListener("offline", render);
  // A page opened again (or restored) first sends what an earlier visit left waiting.
  form.elements.uuid.value = newUuid();
  showItems();
  render();
  flush();
  window.setInterval(flush, 10000);
})();
