import Mustache

/// The console's Mustache templates, compiled into the binary so an installed hub needs no files
/// beside it. Every page is a child of `layout`; `{{value}}` escapes HTML, and no template holds a
/// script: the console's only script is /assets/console.js (the Content-Security-Policy allows
/// nothing else).
enum ConsoleTemplates {
    static func library() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        for (name, text) in [
            ("layout", layout), ("login", login), ("accept", accept), ("servers", servers), ("server-rows", serverRows), ("server", server),
            ("error", error), ("enroll", enroll), ("jobs", jobs), ("job", job), ("job-table", jobTable), ("apps", apps), ("app", app),
            ("audit", audit), ("account", account), ("team", team), ("tenants", tenants), ("alerts-nav", alertsNav),
            ("server-charts", serverCharts),
            ("alerts", alerts), ("rules", rules), ("log-rules", logRules), ("channels", channels), ("events", events),
            ("server-installations", serverInstallations), ("installation", installation), ("rollouts", rollouts), ("rollout", rollout),
            ("schedules", schedules), ("config-files", configFiles), ("config-versions", configVersions), ("config-diff", configDiff),
        ] {
            try library.register(text, named: name)
        }
        return library
    }

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Steward</title>
        <link rel="stylesheet" href="/assets/console.css">
        <script src="/assets/console.js" defer></script>
        </head>
        <body>
        <a class="skip" href="#main">Skip to the content</a>
        {{#chrome}}
        <header class="top">
          <nav aria-label="Main">
            <a class="brand" href="/servers">Steward</a>
            <a href="/servers"{{#navServers}} aria-current="page"{{/navServers}}>Servers</a>
            <a href="/apps"{{#navApps}} aria-current="page"{{/navApps}}>Apps</a>
            <a href="/jobs"{{#navJobs}} aria-current="page"{{/navJobs}}>Jobs</a>
            <a href="/rollouts"{{#navRollouts}} aria-current="page"{{/navRollouts}}>Rollouts</a>
            <a href="/schedules"{{#navSchedules}} aria-current="page"{{/navSchedules}}>Schedules</a>
            {{#can.enroll}}<a href="/enroll"{{#navEnroll}} aria-current="page"{{/navEnroll}}>Enroll a server</a>{{/can.enroll}}
            <a href="/alerts"{{#navAlerts}} aria-current="page"{{/navAlerts}}>Alerts</a>
            <a href="/audit"{{#navAudit}} aria-current="page"{{/navAudit}}>Audit</a>
            {{#can.manageUsers}}<a href="/team"{{#navTeam}} aria-current="page"{{/navTeam}}>Team</a>{{/can.manageUsers}}
            {{#can.administerHub}}<a href="/tenants"{{#navTenants}} aria-current="page"{{/navTenants}}>Tenants</a>{{/can.administerHub}}
          </nav>
          <div class="session">
            {{#hasOtherTenants}}
            <form method="post" action="/tenant" class="switcher">
              <input type="hidden" name="_csrf" value="{{csrf}}">
              <label for="tenant-switch">Tenant</label>
              <select id="tenant-switch" name="tenant">
                <option value="" selected>{{tenantName}}</option>
                {{#otherTenants}}<option value="{{value}}">{{label}}</option>{{/otherTenants}}
              </select>
              <button type="submit">Switch</button>
            </form>
            {{/hasOtherTenants}}
            {{^hasOtherTenants}}<span class="tenant" id="tenant-name">{{tenantName}}</span>{{/hasOtherTenants}}
            <a class="who" href="/account"{{#navAccount}} aria-current="page"{{/navAccount}}>{{email}}</a>
            <form method="post" action="/logout" class="signout">
              <input type="hidden" name="_csrf" value="{{csrf}}">
              <button type="submit">Sign out</button>
            </form>
          </div>
        </header>
        {{#licenseNotice}}<p class="notice" role="status" id="license-notice">{{licenseNotice}}</p>{{/licenseNotice}}
        {{/chrome}}
        <main id="main">
        {{$body}}{{/body}}
        </main>
        </body>
        </html>
        """

    static let login = """
        {{<layout}}{{$body}}
        <section class="card narrow">
          <h1>Sign in to Steward</h1>
          {{#error}}<p class="error" role="alert" id="login-error">{{error}}</p>{{/error}}
          <form method="post" action="/login">
            <input type="hidden" name="_csrf" value="{{loginToken}}">
            <input type="hidden" name="next" value="{{next}}">
            <label for="email">E-mail</label>
            <input id="email" name="email" type="email" autocomplete="username" required value="{{email}}"{{#error}} aria-describedby="login-error"{{/error}}>
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required>
            <label for="otp">Two-factor code <span class="hint">(when two-factor sign-in is enabled; a backup code works too)</span></label>
            <input id="otp" name="otp" autocomplete="one-time-code" inputmode="numeric" maxlength="32">
            <button type="submit" class="primary">Sign in</button>
          </form>
        </section>
        {{/body}}{{/layout}}
        """

    static let accept = """
        {{<layout}}{{$body}}
        <section class="card narrow">
          <h1>Join Steward</h1>
          {{#error}}<p class="error" role="alert" id="accept-error">{{error}}</p>{{/error}}
          <form method="post" action="/invitations/accept">
            <input type="hidden" name="_csrf" value="{{formToken}}">
            <input type="hidden" name="token" value="{{token}}">
            <label for="name">Your name</label>
            <input id="name" name="name" autocomplete="name" maxlength="200" value="{{name}}">
            <label for="password">A password of at least 12 characters <span class="hint">(or, if you have an account here already, its password)</span></label>
            <input id="password" name="password" type="password" autocomplete="new-password" required{{#error}} aria-describedby="accept-error"{{/error}}>
            <button type="submit" class="primary">Accept the invitation</button>
          </form>
        </section>
        {{/body}}{{/layout}}
        """

    static let servers = """
        {{<layout}}{{$body}}
        <h1>Servers</h1>
        <table class="list" data-live-servers{{^hasServers}} hidden{{/hasServers}}>
          <caption class="sr-only">Enrolled servers; status updates live</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Labels</th><th scope="col">OS</th><th scope="col">Agent</th><th scope="col">Last seen</th></tr></thead>
          <tbody>{{> server-rows}}</tbody>
        </table>
        <div class="empty" data-empty-servers{{#hasServers}} hidden{{/hasServers}}>
          <p><strong>No servers yet.</strong> {{#chrome.can.enroll}}<a href="/enroll">Create a registration token</a> and run the agent command it gives on a server; the server appears here the moment it enrolls.{{/chrome.can.enroll}}{{^chrome.can.enroll}}An admin of this tenant can enroll them; they appear here the moment they do.{{/chrome.can.enroll}}</p>
        </div>
        {{/body}}{{/layout}}
        """

    static let serverRows = """
        {{#servers}}
        <tr data-server-id="{{id}}">
          <td><a href="/servers/{{id}}">{{name}}</a></td>
          <td><span class="status {{status}}" data-status>{{status}}</span></td>
          <td>{{#labels}}<span class="label">{{.}}</span> {{/labels}}</td>
          <td>{{os}}</td>
          <td>{{agentVersion}}</td>
          <td><time datetime="{{lastSeenISO}}">{{lastSeen}}</time></td>
        </tr>
        {{/servers}}
        """

    static let server = """
        {{<layout}}{{$body}}
        <p class="crumbs"><a href="/servers">Servers</a> ›</p>
        <h1>{{server.name}} <span class="status {{server.status}}" data-status data-live-server="{{server.id}}">{{server.status}}</span></h1>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        <div class="columns">
        <section class="card">
          <h2>Facts</h2>
          <dl class="facts">
            {{#facts}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/facts}}
          </dl>
        </section>
        <section class="card">
          <h2>Labels</h2>
          {{^chrome.can.editServers}}<p>{{#server.labels}}<span class="label">{{.}}</span> {{/server.labels}}{{^server.labels}}No labels.{{/server.labels}}</p>{{/chrome.can.editServers}}
          {{#chrome.can.editServers}}
          <form method="post" action="/servers/{{server.id}}/labels">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <label for="labels">Labels, one <code>key=value</code> per line</label>
            <textarea id="labels" name="labels" rows="4"{{#labelsError}} aria-invalid="true" aria-describedby="labels-error"{{/labelsError}}>{{labelsText}}</textarea>
            {{#labelsError}}<p class="field-error" id="labels-error">{{labelsError}}</p>{{/labelsError}}
            <button type="submit">Save labels</button>
          </form>
          {{/chrome.can.editServers}}
        </section>
        </div>
        <section class="card" id="metrics" aria-labelledby="metrics-heading">
          <h2 id="metrics-heading">Metrics</h2>
          <nav class="ranges" aria-label="Time span">{{#ranges}}<a href="/servers/{{server.id}}?range={{value}}#metrics"{{#selected}} aria-current="page"{{/selected}}>{{label}}</a> {{/ranges}}</nav>
          <div data-live-charts="{{server.id}}" data-range="{{range}}">{{>server-charts}}</div>
        </section>
        {{>server-installations}}
        <p id="config-link"><a href="/servers/{{server.id}}/config">Config history</a>: every file jobs wrote here, its versions, diffs and restores.</p>
        {{#hasContainers}}
        <section class="card" id="containers" aria-labelledby="containers-heading">
          <h2 id="containers-heading">Containers</h2>
          <table class="list">
            <thead><tr><th scope="col">Name</th><th scope="col">Image</th><th scope="col">State</th><th scope="col">Health</th><th scope="col">Restarts</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
            {{#containers}}
            <tr data-container="{{name}}">
              <td>{{name}}</td><td><code>{{image}}</code></td><td><span class="status {{state}}">{{state}}</span> <small>{{status}}</small></td>
              <td>{{#health}}<span class="status {{health}}">{{health}}</span>{{/health}}</td><td>{{restarts}}</td>
              <td>{{#canAct}}
                {{#running}}<form method="post" action="/servers/{{serverID}}/containers/{{name}}/restart" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">Restart</button></form>
                <form method="post" action="/servers/{{serverID}}/containers/{{name}}/stop" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">Stop</button></form>{{/running}}
                {{^running}}<form method="post" action="/servers/{{serverID}}/containers/{{name}}/start" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">Start</button></form>{{/running}}
                <form method="post" action="/servers/{{serverID}}/containers/{{name}}/logs" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">Logs</button></form>
              {{/canAct}}</td>
            </tr>
            {{/containers}}
            </tbody>
          </table>
          <p class="hint">Actions run as jobs; the server's agent policy decides which it allows.</p>
        </section>
        {{/hasContainers}}
        <section class="card">
          <h2>Jobs</h2>
          {{#hasJobs}}
          {{> job-table}}
          {{/hasJobs}}
          {{^hasJobs}}<p class="empty">No jobs on this server yet.</p>{{/hasJobs}}
        </section>
        {{#chrome.can.decommission}}
        <section class="card danger">
          <h2>Decommission</h2>
          <p>Decommissioning revokes this server's agent (it stops with exit status 77) and cancels its unfinished jobs. It cannot be undone; the server would have to enroll again.</p>
          <form method="post" action="/servers/{{server.id}}/decommission">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <label for="confirm">Type the server's name, <strong>{{server.name}}</strong>, to confirm</label>
            <input id="confirm" name="confirm" autocomplete="off" required{{#confirmError}} aria-invalid="true" aria-describedby="confirm-error"{{/confirmError}}>
            {{#confirmError}}<p class="field-error" id="confirm-error">{{confirmError}}</p>{{/confirmError}}
            <button type="submit" class="danger">Decommission {{server.name}}</button>
          </form>
        </section>
        {{/chrome.can.decommission}}
        {{/body}}{{/layout}}
        """

    static let enroll = """
        {{<layout}}{{$body}}
        <h1>Enroll a server</h1>
        {{#created}}
        <section class="card created" aria-labelledby="created-heading">
          <h2 id="created-heading">Registration token created</h2>
          <p>It is shown only now. On the server, run as root: it installs the agent as a systemd service and enrolls it.</p>
          <pre class="command" id="agent-installer">{{installer}}</pre>
          <p>Or, where <code>steward</code> itself is installed:</p>
          <pre class="command" id="agent-command">{{command}}</pre>
          <p class="hint">The token itself: <code id="token-value">{{token}}</code></p>
          <p class="hint">This hub's key, which both commands pin (an agent refuses a hub that shows another):
            <code id="hub-key">{{hubKey}}</code></p>
        </section>
        {{/created}}
        <section class="card">
          <h2>New registration token</h2>
          <form method="post" action="/enroll" novalidate>
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <label for="description">Description <span class="optional">(optional)</span></label>
            <input id="description" name="description" value="{{form.description}}" maxlength="200"{{#errors.description}} aria-invalid="true" aria-describedby="description-error"{{/errors.description}}>
            {{#errors.description}}<p class="field-error" id="description-error">{{errors.description}}</p>{{/errors.description}}
            <label for="expires">Expires</label>
            <select id="expires" name="expires">
              {{#expiryOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/expiryOptions}}
            </select>
            <label for="max_uses">How many servers may enroll with it <span class="optional">(0: no limit)</span></label>
            <input id="max_uses" name="max_uses" type="number" min="0" value="{{form.maxUses}}"{{#errors.maxUses}} aria-invalid="true" aria-describedby="max-uses-error"{{/errors.maxUses}}>
            {{#errors.maxUses}}<p class="field-error" id="max-uses-error">{{errors.maxUses}}</p>{{/errors.maxUses}}
            <label for="labels">Labels for the servers, one <code>key=value</code> per line <span class="optional">(optional)</span></label>
            <textarea id="labels" name="labels" rows="3"{{#errors.labels}} aria-invalid="true" aria-describedby="labels-error"{{/errors.labels}}>{{form.labels}}</textarea>
            {{#errors.labels}}<p class="field-error" id="labels-error">{{errors.labels}}</p>{{/errors.labels}}
            <button type="submit" class="primary">Create token</button>
          </form>
        </section>
        <section class="card">
          <h2>Registration tokens</h2>
          {{#hasTokens}}
          <table class="list">
            <thead><tr><th scope="col">Token</th><th scope="col">Status</th><th scope="col">Uses</th><th scope="col">Labels</th><th scope="col">Expires</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
            {{#tokens}}
            <tr>
              <td><code>{{shortID}}</code> {{description}}</td>
              <td><span class="status {{status}}">{{status}}</span></td>
              <td>{{uses}}</td>
              <td>{{#labels}}<span class="label">{{.}}</span> {{/labels}}</td>
              <td>{{expires}}</td>
              <td>{{#active}}<form method="post" action="/enroll/{{id}}/revoke"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" aria-label="Revoke token {{shortID}}">Revoke</button></form>{{/active}}</td>
            </tr>
            {{/tokens}}
            </tbody>
          </table>
          {{/hasTokens}}
          {{^hasTokens}}<p class="empty">No registration tokens yet.</p>{{/hasTokens}}
        </section>
        {{/body}}{{/layout}}
        """

    static let jobs = """
        {{<layout}}{{$body}}
        <h1>Jobs</h1>
        <form method="get" action="/jobs" class="filters" role="search" aria-label="Filter jobs">
          <label for="f-status">Status</label>
          <select id="f-status" name="status">{{#statusOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statusOptions}}</select>
          <label for="f-app">App</label>
          <input id="f-app" name="app" value="{{app}}">
          <label for="f-server">Server id</label>
          <input id="f-server" name="server" value="{{server}}">
          <button type="submit">Filter</button>
        </form>
        {{#hasJobs}}
        {{> job-table}}
        {{/hasJobs}}
        {{^hasJobs}}<p class="empty">No jobs{{#filtered}} match these filters{{/filtered}}{{^filtered}} yet: install an app with <code>steward install</code>{{/filtered}}.</p>{{/hasJobs}}
        {{/body}}{{/layout}}
        """

    static let apps = """
        {{<layout}}{{$body}}
        <h1>Apps</h1>
        <form method="get" action="/apps" class="filters" role="search" aria-label="Search apps">
          <label for="q">Search</label>
          <input id="q" name="q" type="search" value="{{query}}">
          <button type="submit">Search</button>
        </form>
        {{#categories}}
        <section class="card">
          <h2>{{name}}</h2>
          <ul class="apps">
            {{#apps}}<li><a href="/apps/{{id}}"><strong>{{name}}</strong></a> <span class="hint">{{version}}</span><br>{{description}}</li>{{/apps}}
          </ul>
        </section>
        {{/categories}}
        {{^categories}}<p class="empty">No app matches “{{query}}”.</p>{{/categories}}
        {{/body}}{{/layout}}
        """

    static let app = """
        {{<layout}}{{$body}}
        <p class="crumbs"><a href="/apps">Apps</a> ›</p>
        <h1>{{name}} <span class="hint">{{version}}</span></h1>
        <p>{{description}}</p>
        {{#requirements}}<p class="hint">{{.}}</p>{{/requirements}}
        {{^chrome.can.runJobs}}<p class="notice" id="no-install">Your role in this tenant can look at apps but not install them.</p>{{/chrome.can.runJobs}}
        {{#chrome.can.runJobs}}
        <section class="card">
          <h2>Install</h2>
          {{#problems}}<div class="error" role="alert"><p>The app was not queued:</p><ul>{{#list}}<li>{{.}}</li>{{/list}}</ul></div>{{/problems}}
          {{#hasServers}}
          <form method="post" action="/apps/{{id}}/install" data-install-form novalidate>
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <div class="field">
              <label for="in-server_id">Server <span class="required" aria-hidden="true">*</span><span class="sr-only">(required)</span></label>
              <select id="in-server_id" name="server_id"{{#serverError}} aria-invalid="true" aria-describedby="error-server_id"{{/serverError}}>
                {{#servers}}<option value="{{value}}"{{#selected}} selected{{/selected}}{{#disabled}} disabled{{/disabled}}>{{label}}</option>{{/servers}}
              </select>
              {{#serverError}}<p class="field-error" id="error-server_id">{{serverError}}</p>{{/serverError}}
            </div>
            {{#fields}}
            <div class="field" id="field-{{name}}"{{#visibleIf}} data-visible-if="{{visibleIf}}"{{/visibleIf}}>
              {{#isCheckbox}}
              <label class="check"><input type="checkbox" id="in-{{name}}" name="{{name}}" value="true"{{#checked}} checked{{/checked}}{{#describedBy}} aria-describedby="{{describedBy}}"{{/describedBy}}> {{label}}</label>
              {{/isCheckbox}}
              {{^isCheckbox}}
              <label for="in-{{name}}">{{label}}{{#required}} <span class="required" aria-hidden="true">*</span><span class="sr-only">(required)</span>{{/required}}</label>
              {{#isTextarea}}<textarea id="in-{{name}}" name="{{name}}" rows="4"{{#error}} aria-invalid="true"{{/error}}{{#describedBy}} aria-describedby="{{describedBy}}"{{/describedBy}}>{{value}}</textarea>{{/isTextarea}}
              {{#isSelect}}<select id="in-{{name}}" name="{{name}}"{{#error}} aria-invalid="true"{{/error}}{{#describedBy}} aria-describedby="{{describedBy}}"{{/describedBy}}>{{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/options}}</select>{{/isSelect}}
              {{#isInput}}<input id="in-{{name}}" name="{{name}}" type="{{inputType}}" value="{{value}}"{{#min}} min="{{min}}"{{/min}}{{#max}} max="{{max}}"{{/max}}{{#autocomplete}} autocomplete="{{autocomplete}}"{{/autocomplete}}{{#error}} aria-invalid="true"{{/error}}{{#describedBy}} aria-describedby="{{describedBy}}"{{/describedBy}}>{{/isInput}}
              {{/isCheckbox}}
              {{#help}}<p class="hint" id="help-{{name}}">{{help}}</p>{{/help}}
              {{#generate}}<p class="hint" id="generate-{{name}}">Leave it empty and the hub generates a strong password.</p>{{/generate}}
              {{#error}}<p class="field-error" id="error-{{name}}">{{error}}</p>{{/error}}
            </div>
            {{/fields}}
            <button type="submit" class="primary">Install {{name}}</button>
          </form>
          {{/hasServers}}
          {{^hasServers}}<p class="empty" id="no-servers">No servers yet: {{#chrome.can.enroll}}<a href="/enroll">enroll one</a>{{/chrome.can.enroll}}{{^chrome.can.enroll}}an admin can enroll one{{/chrome.can.enroll}} to install {{name}} on it.</p>{{/hasServers}}
        </section>
        {{/chrome.can.runJobs}}
        {{/body}}{{/layout}}
        """

    static let audit = """
        {{<layout}}{{$body}}
        <h1>Audit log</h1>
        <form method="get" action="/audit" class="filters" role="search" aria-label="Filter the audit log">
          <label for="f-actor">Actor</label>
          <input id="f-actor" name="actor" value="{{actor}}">
          <label for="f-action">Action</label>
          <input id="f-action" name="action" value="{{action}}" placeholder="e.g. job.install">
          <button type="submit">Filter</button>
        </form>
        {{#hasEntries}}
        <table class="list">
          <thead><tr><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Details</th><th scope="col">From</th></tr></thead>
          <tbody>
          {{#entries}}<tr><td><time datetime="{{iso}}">{{when}}</time></td><td>{{actor}}</td><td><code>{{action}}</code></td><td>{{target}}</td><td>{{detail}}</td><td>{{source}}</td></tr>{{/entries}}
          </tbody>
        </table>
        {{#older}}<p><a href="{{older}}" rel="next">Older entries</a></p>{{/older}}
        {{/hasEntries}}
        {{^hasEntries}}<p class="empty">Nothing in the audit log{{#filtered}} matches these filters{{/filtered}}.</p>{{/hasEntries}}
        {{/body}}{{/layout}}
        """

    /// A server's charts: part of its page, and what the page fetches to redraw them live.
    static let serverCharts = """
        {{#hasCharts}}
        <div class="charts">
        {{#charts}}
        <figure class="chart" data-chart="{{title}}">
          <figcaption>{{title}} {{#legend}}<span class="legend"><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="{{colour}}"/></svg> {{label}}</span> {{/legend}}</figcaption>
          {{{svg}}}
        </figure>
        {{/charts}}
        </div>
        {{/hasCharts}}
        {{^hasCharts}}<p class="empty" id="no-metrics">No metrics from this server yet: its agent sends them every 15 seconds unless told otherwise (<code>--metrics-interval</code>).</p>{{/hasCharts}}
        """

    static let jobTable = """
        <table class="list">
          <thead><tr><th scope="col">Job</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Attempt</th><th scope="col">Created</th></tr></thead>
          <tbody>
          {{#jobs}}<tr><td><a href="/jobs/{{id}}"><code>{{shortID}}</code></a> {{app}}</td><td>{{kind}}</td><td><span class="status {{status}}">{{status}}</span></td><td>{{attempt}}</td><td>{{created}}</td></tr>{{/jobs}}
          </tbody>
        </table>
        """

    static let job = """
        {{<layout}}{{$body}}
        <p class="crumbs"><a href="/jobs">Jobs</a> ›</p>
        <h1>{{heading}} <span class="status {{status}}" id="job-status" role="status">{{status}}</span></h1>
        <div class="columns">
        <section class="card">
          <h2>Job</h2>
          <dl class="facts">{{#facts}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/facts}}</dl>
          {{#canCancel}}<form method="post" action="/jobs/{{id}}/cancel"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="danger">Cancel this job</button></form>{{/canCancel}}
          {{#canRetry}}<form method="post" action="/jobs/{{id}}/retry"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">Retry</button></form>{{/canRetry}}
        </section>
        {{#hasOutputs}}
        <section class="card">
          <h2>Outputs</h2>
          <dl class="facts">{{#outputs}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/outputs}}</dl>
        </section>
        {{/hasOutputs}}
        </div>
        {{#hasSteps}}
        <section class="card">
          <h2>Steps</h2>
          <table class="list">
            <thead><tr><th scope="col">#</th><th scope="col">Step</th><th scope="col">Result</th></tr></thead>
            <tbody>{{#steps}}<tr><td>{{number}}</td><td>{{summary}}</td><td>{{result}}</td></tr>{{/steps}}</tbody>
          </table>
        </section>
        {{/hasSteps}}
        <section class="card">
          <h2 id="log-heading">Log</h2>
          {{#truncated}}<p class="hint">Showing the last {{shownBytes}} of {{totalBytes}}. <a href="/jobs/{{id}}/log.txt">Download the full log</a>.</p>{{/truncated}}
          {{^truncated}}<p class="hint"><a href="/jobs/{{id}}/log.txt">Download the log</a></p>{{/truncated}}
          <pre class="log" id="log" tabindex="0" aria-labelledby="log-heading"{{#live}} data-job-log="{{id}}" data-offset="{{offset}}"{{/live}}>{{log}}</pre>
        </section>
        {{/body}}{{/layout}}
        """

    static let error = """
        {{<layout}}{{$body}}
        <section class="card narrow">
          <h1>{{heading}}</h1>
          <p>{{message}}</p>
          <p><a href="/servers">Back to the servers</a></p>
        </section>
        {{/body}}{{/layout}}
        """
}
