/// The console's stylesheet and its one script, served from the binary at /assets/.
package enum ConsoleAssets {
    package static let stylesheet = """
        :root { --ink: #1d2330; --muted: #5b6476; --line: #d9dde5; --bg: #f6f7f9; --card: #fff; --accent: #2456c7;
          --ok: #1c7c3a; --off: #9a3412; --danger: #b42318; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
        * { box-sizing: border-box; }
        [hidden] { display: none !important; }
        body { margin: 0; color: var(--ink); background: var(--bg); line-height: 1.45; }
        a { color: var(--accent); }
        :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
        .skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
        .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
        header.top { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: .5rem;
          padding: .6rem 1.2rem; background: var(--ink); color: #fff; }
        header.top nav { display: flex; gap: 1rem; align-items: center; }
        header.top a { color: #dfe6f5; text-decoration: none; } header.top a[aria-current] { color: #fff; font-weight: 600; }
        header.top .brand { font-weight: 700; color: #fff; margin-right: .5rem; }
        .session { display: flex; gap: .8rem; align-items: center; } .session .who, .session .tenant { color: #c7cfdf; font-size: .9rem; }
        .switcher { display: flex; gap: .4rem; align-items: center; } .switcher label { margin: 0; color: #c7cfdf; font-weight: 400; }
        .switcher select { width: auto; padding: .2rem .4rem; }
        form.inline { display: inline-flex; gap: .4rem; align-items: center; } form.inline select, form.inline input { width: auto; }
        form.inline button { margin-top: 0; }
        .qr svg { display: block; max-width: 16rem; height: auto; }
        .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1rem; }
        figure.chart { margin: 0; } figure.chart figcaption { font-weight: 600; margin-bottom: .3rem; }
        .chart-svg { width: 100%; height: auto; display: block; } .legend { font-weight: 400; font-size: .85rem; margin-left: .5rem; }
        .ranges a { margin-right: .6rem; } .ranges a[aria-current] { font-weight: 700; }
        ul.codes { columns: 2; font-size: 1.05rem; }
        main { max-width: 72rem; margin: 0 auto; padding: 1.2rem; }
        h1 { font-size: 1.5rem; margin: .4rem 0 1rem; } h2 { font-size: 1.1rem; margin-top: 0; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.2rem; margin-bottom: 1rem; }
        .card.narrow { max-width: 26rem; margin: 3rem auto; }
        .card.danger { border-color: #f1c6c2; }
        .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1rem; }
        label { display: block; font-weight: 600; margin: .8rem 0 .3rem; }
        input, textarea, select { width: 100%; padding: .5rem .6rem; border: 1px solid #aab2c2; border-radius: 6px; font: inherit; }
        [aria-invalid="true"] { border-color: var(--danger); }
        button { margin-top: .9rem; padding: .5rem 1rem; border: 1px solid #aab2c2; border-radius: 6px; background: #fff; font: inherit; cursor: pointer; }
        header.top button { margin: 0; padding: .3rem .7rem; }
        button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        button.danger { background: var(--danger); border-color: var(--danger); color: #fff; }
        .error, .field-error { color: var(--danger); } .field-error { margin: .3rem 0 0; font-size: .92rem; }
        .notice { background: #e8f3ec; border: 1px solid #b9dcc5; padding: .5rem .8rem; border-radius: 6px; }
        table.list { width: 100%; border-collapse: collapse; background: var(--card); }
        pre.diff { background: var(--card); border: 1px solid var(--line); padding: .6rem; overflow-x: auto; }
        pre.diff .add { background: #dcf2e3; } pre.diff .remove { background: #fbe4dc; }
        pre.diff .hunk { color: var(--accent); } pre.diff .file { color: var(--muted); }
        table.list th, table.list td { text-align: left; padding: .5rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        table.list th { font-size: .85rem; color: var(--muted); font-weight: 600; }
        .status { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .82rem; font-weight: 600; background: #eceff4; }
        .status.online, .status.succeeded { background: #dcf2e3; color: var(--ok); }
        .status.offline, .status.failed, .status.dead, .status.timed_out, .status.needs_attention { background: #fbe4dc; color: var(--off); }
        .status.running, .status.queued, .status.retrying { background: #e1e9fb; color: var(--accent); }
        .status.firing, .status.critical, .status.failed { background: #fbe4dc; color: var(--off); }
        .status.acknowledged, .status.warning, .status.pending { background: #fdf1d6; color: #7a5200; }
        .status.resolved, .status.delivered { background: #dcf2e3; color: var(--ok); }
        nav.tabs { display: flex; gap: 1rem; margin: 0 0 1rem; } nav.tabs a { font-weight: 600; }
        fieldset { border: 1px solid var(--line); border-radius: 6px; margin: .8rem 0; padding: .4rem .8rem .8rem; }
        .label { display: inline-block; padding: 0 .4rem; border: 1px solid var(--line); border-radius: 4px; font-size: .85rem; }
        .empty { color: var(--muted); } div.empty { background: var(--card); border: 1px dashed var(--line); border-radius: 8px; padding: 1.5rem; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; } dl.facts dt { color: var(--muted); }
        .crumbs { margin: 0; color: var(--muted); }
        pre.log { background: #111827; color: #e5e7eb; padding: .8rem 1rem; border-radius: 6px; max-height: 32rem; overflow: auto; white-space: pre-wrap; word-break: break-word; font-size: .88rem; }
        form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin-bottom: 1rem; }
        form.filters label { margin: 0; } form.filters input, form.filters select { width: auto; } form.filters button { margin: 0; }
        .optional, .hint { color: var(--muted); font-weight: 400; }
        .field { margin-bottom: .4rem; } .field .hint { margin: .25rem 0 0; font-size: .9rem; }
        label.check { display: flex; gap: .5rem; align-items: center; } label.check input { width: auto; }
        .required { color: var(--danger); }
        ul.apps { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: .8rem; }
        ul.apps li { border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; }
        div.error { border: 1px solid #f1c6c2; background: #fdf0ef; border-radius: 6px; padding: .2rem .9rem; margin-bottom: .8rem; }
        pre.command { background: #111827; color: #e5e7eb; padding: .8rem 1rem; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
        .card.created, div.created { border-color: #b9dcc5; background: #f3faf5; }
        div.created { border: 1px solid #b9dcc5; border-radius: 6px; padding: .2rem .8rem; margin-bottom: .8rem; }
        .status.active { background: #dcf2e3; color: var(--ok); } .status.revoked, .status.expired, .status.used_up { background: #eceff4; color: var(--muted); }
        @media (max-width: 40rem) { table.list th:nth-child(n+4), table.list td:nth-child(n+4) { display: none; } }
        """

    /// Live updates over Server-Sent Events, without a reload: server status on the servers list and
    /// on a server's page, and its charts as metrics arrive; a newly enrolled or removed server
    /// refreshes the list's rows; a running job's log grows on its page, scrolled to the end unless
    /// the operator scrolled up; the alerts page reloads when an alert fires or resolves.
    static let script = """
        "use strict";
        (function () {
          const alerts = document.querySelector("[data-live-alerts]");
          if (!alerts) return;
          const events = new EventSource("/console/events?kind=alert.changed");
          events.addEventListener("alert.changed", function () {
            // Not while the operator is typing in a form of the page.
            if (document.activeElement && ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName)) return;
            window.location.reload();
          });
        })();
        (function () {
          // Install forms: show a field only while its visible_if conditions hold, as the hub decides.
          const form = document.querySelector("form[data-install-form]");
          if (!form) return;
          const dependent = Array.from(form.querySelectorAll("[data-visible-if]"));
          function normal(value) {
            const text = String(value).trim().toLowerCase();
            if (["true", "yes", "on", "1"].includes(text)) return "true";
            if (["false", "no", "off", "0"].includes(text)) return "false";
            return text;
          }
          function current(name) {
            const control = form.elements[name];
            if (!control || control.disabled) return null;
            return control.type === "checkbox" ? (control.checked ? "true" : "false") : control.value;
          }
          function apply() {
            // Conditions may depend on fields that are themselves hidden: settle in a few rounds.
            for (let round = 0; round <= dependent.length; round++) {
              let changed = false;
              for (const field of dependent) {
                const conditions = JSON.parse(field.dataset.visibleIf);
                const show = Object.keys(conditions).every(function (name) {
                  const value = current(name);
                  return value !== null && conditions[name].map(normal).includes(normal(value));
                });
                if (field.hidden === show) {
                  field.hidden = !show;
                  field.querySelectorAll("input, select, textarea").forEach(function (control) { control.disabled = !show; });
                  changed = true;
                }
              }
              if (!changed) break;
            }
          }
          form.addEventListener("change", apply);
          form.addEventListener("input", apply);
          apply();
        })();
        (function () {
          const log = document.querySelector("[data-job-log]");
          if (!log) return;
          const keep = 512 * 1024;
          log.scrollTop = log.scrollHeight;
          const source = new EventSource("/console/jobs/" + encodeURIComponent(log.dataset.jobLog) + "/follow?offset=" + encodeURIComponent(log.dataset.offset));
          source.addEventListener("log", function (message) {
            const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
            log.append(document.createTextNode(message.data));
            if (log.textContent.length > keep * 2) log.textContent = log.textContent.slice(-keep);
            if (atEnd) log.scrollTop = log.scrollHeight;
          });
          source.addEventListener("end", function (message) {
            source.close();
            const job = JSON.parse(message.data);
            const badge = document.getElementById("job-status");
            if (badge) { badge.textContent = job.status; badge.className = "status " + job.status; }
            setTimeout(function () { window.location.reload(); }, 800);
          });
        })();
        (function () {
          const list = document.querySelector("[data-live-servers]");
          const single = document.querySelector("[data-live-server]");
          if (!list && !single) return;
          const events = new EventSource("/console/events?kind=server.online,server.offline,server.enrolled,server.removed");
          function setStatus(element, status) {
            element.textContent = status;
            element.className = "status " + status;
          }
          async function refreshRows() {
            const response = await fetch("/servers?fragment=rows", { credentials: "same-origin" });
            if (!response.ok) return;
            const rows = await response.text();
            list.querySelector("tbody").innerHTML = rows;
            const empty = rows.trim() === "";
            list.hidden = empty;
            const note = document.querySelector("[data-empty-servers]");
            if (note) note.hidden = !empty;
          }
          function onStatus(message) {
            const event = JSON.parse(message.data);
            const status = event.kind === "server.online" ? "online" : "offline";
            if (single && single.dataset.liveServer === event.server_id) setStatus(single, status);
            const row = list && document.querySelector('tr[data-server-id="' + CSS.escape(event.server_id) + '"] [data-status]');
            if (row) setStatus(row, status);
          }
          events.addEventListener("server.online", onStatus);
          events.addEventListener("server.offline", onStatus);
          // A server's charts are redrawn by the hub as its metrics arrive, at most every 5 s.
          const charts = document.querySelector("[data-live-charts]");
          if (charts) {
            let waiting = false;
            const metrics = new EventSource("/console/events?kind=metrics.reported&server=" + encodeURIComponent(charts.dataset.liveCharts));
            metrics.addEventListener("metrics.reported", function () {
              if (waiting) return;
              waiting = true;
              setTimeout(async function () {
                waiting = false;
                const url = "/servers/" + encodeURIComponent(charts.dataset.liveCharts) + "?fragment=charts&range=" + encodeURIComponent(charts.dataset.range);
                const response = await fetch(url, { credentials: "same-origin" });
                if (response.ok) charts.innerHTML = await response.text();
              }, 5000);
            });
          }
          events.addEventListener("server.enrolled", function () { if (list) refreshRows(); });
          events.addEventListener("server.removed", function () { if (list) refreshRows(); });
        })();
        """
}
