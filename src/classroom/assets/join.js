// The join page: a trainee types the class's code and their name; the membership
// (class, trainee id and token) is kept in localStorage, where the lab pages find it.
"use strict";
(function () {
  var KEY = "gitops-lab/classroom";
  var form = document.getElementById("join-form");
  var error = document.getElementById("join-error");
  var params = new URLSearchParams(location.search);
  if (params.get("code")) document.getElementById("join-code").value = params.get("code");

  function membership() {
    try { return JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }

  function link(list, href, text, id) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = href; a.textContent = text; a.id = id;
    li.appendChild(a); list.appendChild(li);
  }

  function show(m) {
    form.hidden = true;
    document.getElementById("joined").hidden = false;
    document.getElementById("joined-title").textContent = "You are in " + m.className + " as " + m.name;
    var labs = document.getElementById("class-labs"), quizzes = document.getElementById("class-quizzes");
    labs.textContent = ""; quizzes.textContent = "";
    (m.labs || []).forEach(function (l) { link(labs, "/labs/" + encodeURIComponent(l.id), l.title, "class-lab-" + l.id); });
    (m.quizzes || []).forEach(function (q) { link(quizzes, "/quizzes/" + encodeURIComponent(q.id), q.title, "class-quiz-" + q.id); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    error.hidden = true;
    var body = { code: document.getElementById("join-code").value, name: document.getElementById("join-name").value };
    fetch("/api/join", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, json: j }; }); })
      .then(function (r) {
        if (!r.ok) throw new Error(r.json.error || "could not join");
        var m = { classId: r.json.classId, traineeId: r.json.traineeId, token: r.json.token, name: r.json.name,
                  className: r.json.className, labs: r.json.labs, quizzes: r.json.quizzes };
        localStorage.setItem(KEY, JSON.stringify(m));
        // A new class starts with a fresh outbox and command marker.
        localStorage.removeItem(KEY + "/outbox");
        localStorage.removeItem(KEY + "/since");
        show(m);
      })
      .catch(function (e) { error.textContent = e.message; error.hidden = false; });
  });

  document.getElementById("leave-class").addEventListener("click", function () {
    localStorage.removeItem(KEY);
    localStorage.removeItem(KEY + "/outbox");
    localStorage.removeItem(KEY + "/since");
    document.getElementById("joined").hidden = true;
    form.hidden = false;
  });

  var m = membership();
  if (m && !params.get("code")) show(m);
})();
