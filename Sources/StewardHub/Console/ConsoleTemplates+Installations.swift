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
