/// The installation pages' templates.
extension ConsoleTemplates {
    /// A server's installed apps, on its page.
    static let serverInstallations = """
        <section class="card" id="installations" aria-labelledby="installations-heading">
          <h2 id="installations-heading">Installed apps</h2>
          {{#hasInstallations}}
          <table class="list">
            <thead><tr><th scope="col">App</th><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Health</th></tr></thead>
            <tbody>
            {{#installations}}
            <tr data-installation="{{id}}">
              <td><a href="/installations/{{id}}">{{app}}</a></td>
              <td>{{version}}{{#upgrade}} <small class="upgrade">→ {{upgrade}} available</small>{{/upgrade}}</td>
              <td><span class="status {{status}}">{{status}}</span></td>
              <td>{{#health}}<span class="status {{#healthy}}succeeded{{/healthy}}{{^healthy}}failed{{/healthy}}">{{health}}</span>{{/health}}</td>
            </tr>
            {{/installations}}
            </tbody>
          </table>
          {{/hasInstallations}}
          {{^hasInstallations}}<p class="empty">No apps installed yet: install one from the <a href="/apps">catalog</a>.</p>{{/hasInstallations}}
        </section>
        """

    static let installation = """
        {{<layout}}{{$body}}
        <p class="crumbs"><a href="/servers/{{serverID}}">{{serverName}}</a> › installed apps</p>
        <h1>{{installation.app}} <small>{{installation.version}}</small></h1>
        {{#error}}<p class="error" role="alert" id="installation-error">{{error}}</p>{{/error}}
        {{#busy}}<p class="notice" role="status">A job acts on this app now: <a href="/jobs/{{activeJobID}}">follow it</a>. Other changes wait until it ends.</p>{{/busy}}
        <section class="card" aria-labelledby="summary-heading">
          <h2 id="summary-heading">Summary</h2>
          <dl class="facts">{{#facts}}<dt>{{name}}</dt><dd>{{value}}</dd>{{/facts}}</dl>
          <h3>Inputs</h3>
          <dl class="facts" id="inputs">{{#inputs}}<dt>{{name}}</dt><dd><code>{{value}}</code></dd>{{/inputs}}</dl>
          {{#hasOutputs}}<h3>Outputs</h3>
          <dl class="facts" id="outputs">{{#outputs}}<dt>{{name}}</dt><dd><code>{{value}}</code></dd>{{/outputs}}</dl>{{/hasOutputs}}
          {{#showsCredentials}}
          <div class="secret" id="credentials" role="status">
            <p>Shown this once (the audit log says you looked). Passwords that were generated are here too.</p>
            <dl class="facts">{{#credentials}}<dt>{{name}}</dt><dd><code>{{value}}</code></dd>{{/credentials}}</dl>
          </div>
          {{/showsCredentials}}
          {{^showsCredentials}}{{#canReveal}}
          <form method="post" action="/installations/{{installation.id}}/credentials" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">Show passwords and secret outputs</button></form>
          {{/canReveal}}{{/showsCredentials}}
        </section>
        {{#installation.upgrade}}
        <section class="card" id="upgrade" aria-labelledby="upgrade-heading">
          <h2 id="upgrade-heading">Upgrade to {{installation.upgrade}}</h2>
          <ul>{{#upgradePlan}}<li>{{.}}</li>{{/upgradePlan}}</ul>
          {{#canUpgrade}}<form method="post" action="/installations/{{installation.id}}/upgrade"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">Upgrade</button></form>{{/canUpgrade}}
        </section>
        {{/installation.upgrade}}
        <section class="card" id="health" aria-labelledby="health-heading">
          <h2 id="health-heading">Health</h2>
          {{#canCheckHealth}}<form method="post" action="/installations/{{installation.id}}/check-health" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">Check now</button></form>{{/canCheckHealth}}
          {{#hasHealth}}
          <table class="list">
            <thead><tr><th scope="col">Result</th><th scope="col">When</th><th scope="col">Job</th></tr></thead>
            <tbody>
            {{#health}}<tr><td><span class="status {{#healthy}}succeeded{{/healthy}}{{^healthy}}failed{{/healthy}}">{{result}}</span>{{#detail}} <small>{{detail}}</small>{{/detail}}</td><td>{{when}}</td><td><a href="/jobs/{{jobID}}">log</a></td></tr>{{/health}}
            </tbody>
          </table>
          {{/hasHealth}}
          {{^hasHealth}}<p class="empty">No health checks yet.</p>{{/hasHealth}}
        </section>
        <section class="card" id="backups" aria-labelledby="backups-heading">
          <h2 id="backups-heading">Backups</h2>
          {{#canBackUp}}<form method="post" action="/installations/{{installation.id}}/backup" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">Back up now</button></form>{{/canBackUp}}
          {{#canBackUp}}<form method="post" action="/installations/{{installation.id}}/schedule-backups" class="inline" id="schedule-backups"><input type="hidden" name="_csrf" value="{{csrf}}">
            <label for="backup-hour">Back up every day at</label> <input id="backup-hour" name="hour" inputmode="numeric" size="2" value="3" required> h
            <label for="backup-zone" class="sr-only">Time zone</label> <input id="backup-zone" name="time_zone" value="UTC" size="14" required>
            <button type="submit">Schedule</button></form>{{/canBackUp}}
          {{#hasBackups}}
          <table class="list">
            <thead><tr><th scope="col">Backup</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Version</th><th scope="col">Size</th><th scope="col">When</th><th scope="col"><span class="sr-only">Restore</span></th></tr></thead>
            <tbody>
            {{#backups}}
            <tr data-backup="{{id}}">
              <td><code title="{{id}}">{{shortID}}</code></td><td>{{kind}}</td><td><span class="status {{status}}">{{status}}</span>{{#error}} <small>{{error}}</small>{{/error}}</td>
              <td>{{version}}</td><td>{{size}}</td><td>{{when}}</td>
              <td>{{#restorable}}{{#chrome.can.runJobs}}
                <form method="post" action="/installations/{{installation.id}}/backups/{{id}}/restore" class="inline">
                  <input type="hidden" name="_csrf" value="{{csrf}}">
                  <label for="confirm-{{id}}" class="sr-only">Type {{installation.app}} to restore this backup</label>
                  <input id="confirm-{{id}}" name="confirm" placeholder="type {{installation.app}}" autocomplete="off" required size="10">
                  <button type="submit">Restore</button>
                </form>
              {{/chrome.can.runJobs}}{{/restorable}}</td>
            </tr>
            {{/backups}}
            </tbody>
          </table>
          <p class="hint">A restore replaces the app's files and data with the backup's, then checks its health.</p>
          {{/hasBackups}}
          {{^hasBackups}}<p class="empty">No backups yet.</p>{{/hasBackups}}
        </section>
        {{#chrome.can.runJobs}}{{^installation.removed}}
        <section class="card danger">
          <h2>Remove</h2>
          <p>Runs the app's uninstall script with the inputs it was installed with; its kept passwords are erased.</p>
          <form method="post" action="/installations/{{installation.id}}/uninstall">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <label for="confirm">Type the app's id, <strong>{{installation.app}}</strong>, to confirm</label>
            <input id="confirm" name="confirm" autocomplete="off" required{{#confirmError}} aria-invalid="true" aria-describedby="confirm-error"{{/confirmError}}>
            {{#confirmError}}<p class="field-error" id="confirm-error">{{confirmError}}</p>{{/confirmError}}
            <button type="submit" class="danger">Uninstall {{installation.app}}</button>
          </form>
        </section>
        {{/installation.removed}}{{/chrome.can.runJobs}}
        {{/body}}{{/layout}}
        """
}

/// The rollout and schedule pages' templates.
extension ConsoleTemplates {
    static let rollouts = """
        {{<layout}}{{$body}}
        <h1>Rollouts</h1>
        <p class="hint">A rollout runs one job on every server a label selector picks, in batches: <code>steward rollouts create</code> or <code>POST /api/v1/rollouts</code>.</p>
        {{#hasRollouts}}
        <table class="list">
          <thead><tr><th scope="col">Rollout</th><th scope="col">What</th><th scope="col">Servers</th><th scope="col">Status</th><th scope="col">Failed</th><th scope="col">Started</th></tr></thead>
          <tbody>
          {{#rollouts}}<tr><td><a href="/rollouts/{{id}}"><code>{{shortID}}</code></a></td><td>{{what}} <small>{{selector}}</small></td><td>{{servers}}</td><td><span class="status {{status}}">{{status}}</span></td><td>{{failures}}</td><td>{{created}}</td></tr>{{/rollouts}}
          </tbody>
        </table>
        {{/hasRollouts}}
        {{^hasRollouts}}<p class="empty">No rollouts yet.</p>{{/hasRollouts}}
        {{/body}}{{/layout}}
        """

    static let rollout = """
        {{<layout}}{{$body}}
        <p class="crumbs"><a href="/rollouts">Rollouts</a> › <code>{{rollout.shortID}}</code></p>
        <h1>{{rollout.what}} <small>{{rollout.selector}}</small></h1>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        <p><span class="status {{rollout.status}}">{{rollout.status}}</span> · {{limits}} · {{rollout.failures}} failed</p>
        <table class="list" id="rollout-servers">
          <thead><tr><th scope="col">Server</th><th scope="col">Batch</th><th scope="col">Status</th><th scope="col">Job</th></tr></thead>
          <tbody>
          {{#targets}}<tr data-server="{{serverID}}"><td><a href="/servers/{{serverID}}">{{server}}</a></td><td>{{batch}}</td><td><span class="status {{status}}">{{status}}</span>{{#error}} <small>{{error}}</small>{{/error}}</td><td>{{#jobID}}<a href="/jobs/{{jobID}}">log</a>{{/jobID}}</td></tr>{{/targets}}
          </tbody>
        </table>
        {{#running}}{{#chrome.can.runJobs}}
        <form method="post" action="/rollouts/{{rollout.id}}/cancel"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="danger">Cancel the rollout</button></form>
        {{/chrome.can.runJobs}}{{/running}}
        {{/body}}{{/layout}}
        """

    static let schedules = """
        {{<layout}}{{$body}}
        <h1>Schedules</h1>
        {{#notice}}<p class="notice" role="status" id="schedules-notice">{{notice}}</p>{{/notice}}
        <p class="hint">Schedules run backups, health checks, upgrades, step jobs and rollouts on cron expressions: <code>steward schedules create</code>, or nightly backups from an installed app's page.</p>
        {{#hasSchedules}}
        <table class="list">
          <thead><tr><th scope="col">Name</th><th scope="col">When</th><th scope="col">Next</th><th scope="col">Last</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
          {{#schedules}}
          <tr data-schedule="{{id}}">
            <td>{{name}}</td><td><code>{{cron}}</code> <small>{{timeZone}}</small></td><td>{{next}}</td>
            <td>{{#last}}<span{{#lastFailed}} class="status failed"{{/lastFailed}}>{{last}}</span>{{/last}}{{#lastJobID}} <a href="/jobs/{{lastJobID}}">job</a>{{/lastJobID}}{{#lastRolloutID}} <a href="/rollouts/{{lastRolloutID}}">rollout</a>{{/lastRolloutID}}</td>
            <td>{{#chrome.can.runJobs}}
              <form method="post" action="/schedules/{{id}}/toggle" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">{{#enabled}}Turn off{{/enabled}}{{^enabled}}Turn on{{/enabled}}</button></form>
              <form method="post" action="/schedules/{{id}}/delete" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="danger">Delete</button></form>
            {{/chrome.can.runJobs}}</td>
          </tr>
          {{/schedules}}
          </tbody>
        </table>
        {{/hasSchedules}}
        {{^hasSchedules}}<p class="empty">No schedules yet.</p>{{/hasSchedules}}
        {{/body}}{{/layout}}
        """
}
