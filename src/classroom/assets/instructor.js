// The instructor's page: sign in with the instructor token, create or open a class, and
// watch the live grid (a WebSocket that sends snapshots); broadcast incidents, pause or
// resume every clock, extend time, reset a trainee, read a trainee's timeline, export.
"use strict";
(function () {
  var TOKEN_KEY = "gitops-lab/instructor-token";
  var $ = function (id) { return document.getElementById(id); };
  var token = sessionStorage.getItem(TOKEN_KEY) || "";
  var current = null;   // the open class, as GET /api/classes/{id} returns it
  var socket = null;
  var summary = null;   // the latest snapshot
  var skew = 0;         // server clock minus this browser's
  var selected = null;  // the trainee whose detail is open

  function api(method, path, body) {
    var init = { method: method, headers: { "Authorization": "Bearer " + token } };
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (r) {
      var type = r.headers.get("content-type") || "";
      var read = type.indexOf("application/json") === 0 ? r.json() : r.blob();
      return read.then(function (data) {
        if (!r.ok) throw new Error((data && data.error) || ("HTTP " + r.status));
        return data;
      });
    });
  }

  function say(text, isError) {
    var el = $("action-result");
    el.textContent = text;
    el.className = isError ? "warning" : "";
  }

  function signIn() {
    api("GET", "/api/classes").then(function (classes) {
      sessionStorage.setItem(TOKEN_KEY, token);
      $("sign-in").hidden = true;
      $("classes").hidden = false;
      var list = $("class-list");
      list.textContent = "";
      classes.forEach(function (c) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = "?class=" + c.id; a.textContent = c.name + " (" + c.joinCode + ")"; a.className = "open-class";
        a.addEventListener("click", function (e) { e.preventDefault(); openClass(c.id); });
        li.appendChild(a); list.appendChild(li);
      });
      var wanted = new URLSearchParams(location.search).get("class");
      if (wanted && !current) openClass(wanted);
    }).catch(function (e) {
      $("instructor-error").textContent = e.message;
      $("instructor-error").hidden = false;
    });
  }

  $("use-token").addEventListener("click", function () { token = $("instructor-token").value.trim(); signIn(); });
  $("instructor-token").addEventListener("keydown", function (e) { if (e.key === "Enter") $("use-token").click(); });

  $("create-class").addEventListener("submit", function (e) {
    e.preventDefault();
    var checked = function (name) {
      return Array.prototype.map.call(document.querySelectorAll("input[name=" + name + "]:checked"), function (i) { return i.value; });
    };
    var body = { name: $("class-name").value, labs: checked("lab"), quizzes: checked("quiz") };
    if ($("class-minutes").value) body.minutes = Number($("class-minutes").value);
    api("POST", "/api/classes", body).then(function (c) { signIn(); openClass(c.id); }).catch(function (err) { say(err.message, true); });
  });

  function download(path, name) {
    api("GET", path).then(function (data) {
      var blob = data instanceof Blob ? data : new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob); a.download = name;
      document.body.appendChild(a); a.click(); a.remove();
    }).catch(function (err) { say(err.message, true); });
  }

  function downloadLink(text, path, name) {
    var a = document.createElement("a");
    a.href = "#"; a.textContent = text;
    a.addEventListener("click", function (e) { e.preventDefault(); download(path, name); });
    return a;
  }

  function openClass(id) {
    api("GET", "/api/classes/" + encodeURIComponent(id)).then(function (c) {
      current = c;
      history.replaceState(null, "", "?class=" + c.id);
      $("class-view").hidden = false;
      $("class-title").textContent = c.name;
      $("join-code").textContent = c.joinCode;
      var link = location.origin + c.joinUrl;
      $("join-link").href = link; $("join-link").textContent = link;
      var select = $("incident-choice");
      select.textContent = "";
      c.labs.forEach(function (lab) {
        lab.incidents.forEach(function (inc) {
          var o = document.createElement("option");
          o.value = lab.id + "/" + inc.id; o.textContent = lab.title + ": " + inc.title;
          select.appendChild(o);
        });
      });
      var base = "/api/classes/" + c.id;
      $("export-csv").onclick = function (e) { e.preventDefault(); download(base + "/export.csv", "class-" + c.joinCode + ".csv"); };
      $("export-json").onclick = function (e) { e.preventDefault(); download(base + "/export.json", "class-" + c.joinCode + ".json"); };
      var scorm = $("scorm-links");
      scorm.textContent = "SCORM 1.2: ";
      c.labs.forEach(function (l) { scorm.appendChild(downloadLink(l.id, base + "/scorm/labs/" + l.id + ".zip", "gitops-lab-" + l.id + "-scorm12.zip")); scorm.appendChild(document.createTextNode(" ")); });
      c.quizzes.forEach(function (q) { scorm.appendChild(downloadLink(q.id, base + "/scorm/quizzes/" + q.id + ".zip", "gitops-lab-quiz-" + q.id + "-scorm12.zip")); scorm.appendChild(document.createTextNode(" ")); });
      connect();
    }).catch(function (err) { say(err.message, true); });
  }

  function connect() {
    if (socket) { socket.onclose = null; socket.close(); }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/api/classes/" + current.id + "/live?token=" + encodeURIComponent(token));
    var mine = socket;
    socket.onopen = function () { $("live-state").textContent = "live"; };
    socket.onclose = function () {
      if (socket !== mine) return;
      $("live-state").textContent = "reconnecting…";
      setTimeout(connect, 2000);
    };
    socket.onmessage = function (event) {
      var m = JSON.parse(event.data);
      if (m.type === "snapshot") { summary = m.class; skew = m.class.now - Date.now(); render(); }
      else if (m.type === "progress" && selected === m.traineeId) { showDetail(selected); }
    };
  }

  function idle(seconds) {
    if (seconds < 60) return seconds + " s";
    return Math.floor(seconds / 60) + " min";
  }

  function render() {
    var s = summary;
    $("clock-state").textContent = (s.paused ? "clocks paused" : "clocks running") +
      (s.endsAt ? " · ends " + new Date(s.endsAt - skew).toLocaleTimeString() : "");
    var head = $("grid").tHead, body = $("grid").tBodies[0];
    head.textContent = ""; body.textContent = "";
    var tr = document.createElement("tr");
    ["Trainee", "Score", "Hints", "Current step", "Idle"].forEach(function (t) {
      var th = document.createElement("th"); th.textContent = t; tr.appendChild(th);
    });
    s.labs.forEach(function (lab) {
      lab.steps.forEach(function (step, i) {
        var th = document.createElement("th");
        th.textContent = (i === 0 ? lab.id + " " : "") + (i + 1);
        th.title = lab.title + ": " + step.title;
        tr.appendChild(th);
      });
    });
    head.appendChild(tr);
    var now = Date.now() + skew;
    s.trainees.forEach(function (t) {
      var row = document.createElement("tr");
      row.id = "trainee-" + t.id;
      row.className = "trainee" + (t.stuck ? " stuck" : "");
      row.tabIndex = 0;
      var idleSeconds = Math.max(0, Math.floor((now - t.lastActivity) / 1000));
      var cells = [t.name + (t.stuck ? " ⚠ stuck" : ""), t.score + "/" + t.maxScore, String(t.hints),
        t.currentStep ? t.currentLab + ": " + t.currentStep : "done", idle(idleSeconds)];
      cells.forEach(function (text, i) {
        var td = document.createElement("td"); td.textContent = text;
        if (i === 0) td.className = "name";
        row.appendChild(td);
      });
      s.labs.forEach(function (lab) {
        var p = t.labs[lab.id] || { passed: [], skipped: [] };
        lab.steps.forEach(function (step) {
          var td = document.createElement("td");
          var passed = p.passed.indexOf(step.id) >= 0, skipped = p.skipped.indexOf(step.id) >= 0;
          td.textContent = passed ? "✔" : skipped ? "↷" : p.currentStep === step.id ? "▶" : "";
          td.className = "step " + (passed ? "passed" : skipped ? "skipped" : "open");
          td.title = lab.title + ": " + step.title + (passed ? " (passed)" : skipped ? " (skipped)" : "");
          row.appendChild(td);
        });
      });
      row.addEventListener("click", function () { showDetail(t.id); });
      row.addEventListener("keydown", function (e) { if (e.key === "Enter") showDetail(t.id); });
      body.appendChild(row);
    });
  }

  function showDetail(traineeId) {
    selected = traineeId;
    api("GET", "/api/classes/" + current.id + "/trainees/" + traineeId + "/timeline").then(function (d) {
      $("trainee-detail").hidden = false;
      $("detail-title").textContent = d.trainee.name;
      var list = $("detail-timeline"), term = $("detail-terminal");
      list.textContent = "";
      var lines = [];
      d.events.forEach(function (ev) {
        var time = new Date(ev.receivedAt - skew).toLocaleTimeString();
        if (ev.type === "command") { lines.push("$ " + ev.line + (ev.exitCode ? "   # exit " + ev.exitCode : "")); return; }
        var li = document.createElement("li");
        var what = ev.type === "step" ? "step " + ev.step + (ev.passed ? " passed (" + ev.score + " points)" : " not passed")
          : ev.type === "hint" ? "hint " + ev.level + " for " + ev.step
          : ev.type === "skip" ? "skipped " + ev.step
          : ev.type === "incident" ? "incident " + ev.incident
          : ev.type === "quiz" ? "quiz " + ev.quiz + ": " + ev.score + "%" + (ev.passed ? " passed" : "")
          : ev.type;
        li.textContent = time + " · " + (ev.lab ? ev.lab + " · " : "") + what;
        list.appendChild(li);
      });
      term.textContent = lines.join("\n");
    }).catch(function (err) { say(err.message, true); });
  }

  $("close-detail").addEventListener("click", function () { selected = null; $("trainee-detail").hidden = true; });
  $("reset-trainee").addEventListener("click", function () {
    if (!selected) return;
    api("POST", "/api/classes/" + current.id + "/trainees/" + selected + "/reset", {})
      .then(function () { say("The trainee's labs start again."); }).catch(function (err) { say(err.message, true); });
  });
  $("broadcast-incident").addEventListener("click", function () {
    var choice = $("incident-choice").value.split("/");
    if (choice.length !== 2) { say("This class's labs declare no incidents.", true); return; }
    api("POST", "/api/classes/" + current.id + "/incidents", { lab: choice[0], incident: choice[1] })
      .then(function (c) { say("Sent to every trainee: " + c.title); }).catch(function (err) { say(err.message, true); });
  });
  function clock(action, minutes) {
    var body = { action: action };
    if (minutes) body.minutes = minutes;
    api("POST", "/api/classes/" + current.id + "/clock", body)
      .then(function () { say(action === "extend" ? "Extended by " + minutes + " minutes." : action === "pause" ? "Every clock is paused." : "Every clock runs again."); })
      .catch(function (err) { say(err.message, true); });
  }
  $("pause-all").addEventListener("click", function () { clock("pause"); });
  $("resume-all").addEventListener("click", function () { clock("resume"); });
  $("extend-time").addEventListener("click", function () { clock("extend", 10); });
  setInterval(function () { if (summary) render(); }, 10000);

  if (token) { $("instructor-token").value = token; signIn(); }
})();
