/// The alerting pages' templates.
extension ConsoleTemplates {
    static let alertsNav = """
        <nav class="tabs" aria-label="Alerting">
          <a href="/alerts">Alerts</a>
          <a href="/alerts/rules">Rules</a>
          <a href="/alerts/log-rules">Log rules</a>
          {{#chrome.can.manageAlerts}}<a href="/alerts/channels">Channels</a>{{/chrome.can.manageAlerts}}
          <a href="/events">Events</a>
        </nav>
        """

    static let alerts = """
        {{<layout}}{{$body}}
        <h1>Alerts</h1>
        {{>alerts-nav}}
        {{#notice}}<p class="notice" role="status" id="alerts-notice">{{notice}}</p>{{/notice}}
        <section class="card" id="open-alerts" aria-labelledby="open-heading" data-live-alerts>
          <h2 id="open-heading">Firing and acknowledged</h2>
          {{#hasOpen}}
          <table class="list">
            <thead><tr><th scope="col">State</th><th scope="col">Rule</th><th scope="col">Server</th><th scope="col">What</th><th scope="col">Since</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
            {{#open}}
            <tr data-alert="{{id}}">
              <td><span class="status {{state}}">{{state}}</span></td>
              <td>{{rule}}</td>
              <td><a href="/servers/{{serverID}}">{{server}}</a></td>
              <td>{{summary}}{{#acknowledgedBy}} <small>(acknowledged by {{acknowledgedBy}})</small>{{/acknowledgedBy}}{{^notified}} <small>(no notification sent: the rule has no channels, or told them about this server within its cooldown)</small>{{/notified}}</td>
              <td><time datetime="{{iso}}">{{since}}</time></td>
              <td>{{#canAcknowledge}}<form method="post" action="/alerts/{{id}}/acknowledge" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">Acknowledge</button></form>{{/canAcknowledge}}</td>
            </tr>
            {{/open}}
            </tbody>
          </table>
          {{/hasOpen}}
          {{^hasOpen}}<p class="empty">Nothing is firing.</p>{{/hasOpen}}
        </section>
        <section class="card" aria-labelledby="history-heading">
          <h2 id="history-heading">Resolved lately</h2>
          {{#hasHistory}}
          <table class="list">
            <thead><tr><th scope="col">Rule</th><th scope="col">Server</th><th scope="col">What</th><th scope="col">Started</th></tr></thead>
            <tbody>
            {{#history}}<tr><td>{{rule}}</td><td><a href="/servers/{{serverID}}">{{server}}</a></td><td>{{summary}}</td><td><time datetime="{{iso}}">{{since}}</time></td></tr>{{/history}}
            </tbody>
          </table>
          {{/hasHistory}}
          {{^hasHistory}}<p class="empty">No alert has resolved yet.</p>{{/hasHistory}}
        </section>
        {{/body}}{{/layout}}
        """

    static let rules = """
        {{<layout}}{{$body}}
        <h1>Alert rules</h1>
        {{>alerts-nav}}
        {{#notice}}<p class="notice" role="status" id="rules-notice">{{notice}}</p>{{/notice}}
        <section class="card">
          {{#hasRules}}
          <table class="list" id="rules">
            <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Condition</th><th scope="col">Servers</th><th scope="col">Notifies</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
            {{#rules}}
            <tr data-rule="{{name}}">
              <td>{{name}}</td><td>{{kind}}</td><td>{{condition}}</td><td>{{selector}}</td><td>{{channels}}</td>
              <td>{{#enabled}}<span class="status active">on</span>{{/enabled}}{{^enabled}}<span class="status revoked">off</span>{{/enabled}}</td>
              <td>{{#canManage}}
                <form method="post" action="/alerts/rules/{{id}}/toggle" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">{{#enabled}}Turn off{{/enabled}}{{^enabled}}Turn on{{/enabled}}</button></form>
                <form method="post" action="/alerts/rules/{{id}}/delete" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="danger">Delete</button></form>
              {{/canManage}}</td>
            </tr>
            {{/rules}}
            </tbody>
          </table>
          {{/hasRules}}
          {{^hasRules}}<p class="empty">No rules yet.</p>{{/hasRules}}
        </section>
        {{#chrome.can.manageAlerts}}
        {{#form}}
        <section class="card" id="new-rule">
          <h2>New rule</h2>
          {{#error}}<p class="error" role="alert" id="rule-error">{{error}}</p>{{/error}}
          <form method="post" action="/alerts/rules" class="stacked">
            <input type="hidden" name="_csrf" value="{{chrome.csrf}}">
            <label for="r-name">Name</label><input id="r-name" name="name" value="{{name}}" required maxlength="100">
            <label for="r-kind">Kind</label>
            <select id="r-kind" name="kind">{{#kinds}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/kinds}}</select>
            <fieldset>
              <legend>Metric rules only</legend>
              <label for="r-metric">Metric</label><input id="r-metric" name="metric" value="{{metric}}" placeholder="disk.used_percent">
              <label for="r-operator">Operator</label>
              <select id="r-operator" name="operator">{{#operators}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/operators}}</select>
              <label for="r-threshold">Threshold</label><input id="r-threshold" name="threshold" value="{{threshold}}" inputmode="decimal">
            </fieldset>
            <label for="r-for">For (seconds the condition must hold)</label><input id="r-for" name="for_seconds" value="{{forSeconds}}" inputmode="numeric">
            <label for="r-cooldown">Cooldown (seconds between notifications about one server)</label><input id="r-cooldown" name="cooldown_seconds" value="{{cooldownSeconds}}" inputmode="numeric">
            <label for="r-labels">Servers with labels (<code>key=value</code>, comma-separated; empty: all)</label><input id="r-labels" name="labels" value="{{labels}}">
            {{#hasChannels}}
            <fieldset><legend>Notify</legend>
            {{#channels}}<label class="check"><input type="checkbox" name="channel_ids[]" value="{{id}}"{{#checked}} checked{{/checked}}> {{name}}</label>{{/channels}}
            </fieldset>
            {{/hasChannels}}
            {{^hasChannels}}<p>No notification channels yet: <a href="/alerts/channels">add one</a> to be told when this rule fires.</p>{{/hasChannels}}
            <button type="submit">Create the rule</button>
          </form>
        </section>
        {{/form}}
        {{/chrome.can.manageAlerts}}
        {{/body}}{{/layout}}
        """

    static let logRules = """
        {{<layout}}{{$body}}
        <h1>Log rules</h1>
        {{>alerts-nav}}
        <p>A log rule's pattern is matched against every job's log and, on servers with Docker, the lines containers log. A match is an event.</p>
        {{#notice}}<p class="notice" role="status" id="log-rules-notice">{{notice}}</p>{{/notice}}
        <section class="card">
          {{#hasRules}}
          <table class="list" id="log-rules">
            <thead><tr><th scope="col">Name</th><th scope="col">Pattern</th><th scope="col">Reads</th><th scope="col">Severity</th><th scope="col">Servers</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
            {{#rules}}
            <tr data-log-rule="{{name}}">
              <td>{{name}}</td><td><code>{{pattern}}</code></td><td>{{sources}}</td><td>{{severity}}</td><td>{{selector}}</td>
              <td>{{#enabled}}<span class="status active">on</span>{{/enabled}}{{^enabled}}<span class="status revoked">off</span>{{#disabledReason}} ({{disabledReason}}){{/disabledReason}}{{/enabled}}</td>
              <td>{{#canManage}}
                <form method="post" action="/alerts/log-rules/{{id}}/toggle" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">{{#enabled}}Turn off{{/enabled}}{{^enabled}}Turn on{{/enabled}}</button></form>
                <form method="post" action="/alerts/log-rules/{{id}}/delete" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="danger">Delete</button></form>
              {{/canManage}}</td>
            </tr>
            {{/rules}}
            </tbody>
          </table>
          {{/hasRules}}
          {{^hasRules}}<p class="empty">No log rules yet.</p>{{/hasRules}}
        </section>
        {{#chrome.can.manageAlerts}}
        {{#form}}
        <section class="card" id="new-log-rule">
          <h2>New log rule</h2>
          {{#error}}<p class="error" role="alert" id="log-rule-error">{{error}}</p>{{/error}}
          <form method="post" action="/alerts/log-rules" class="stacked">
            <input type="hidden" name="_csrf" value="{{chrome.csrf}}">
            <label for="l-name">Name</label><input id="l-name" name="name" value="{{name}}" required maxlength="100">
            <label for="l-pattern">Pattern (a regular expression; <code>^</code> and <code>$</code> match at each line)</label><input id="l-pattern" name="pattern" value="{{pattern}}" required maxlength="512" placeholder="\\bERROR\\b">
            <fieldset><legend>Reads</legend>
            <label class="check"><input type="checkbox" name="sources[]" value="job"{{#readsJobs}} checked{{/readsJobs}}> job logs</label>
            <label class="check"><input type="checkbox" name="sources[]" value="container"{{#readsContainers}} checked{{/readsContainers}}> container logs</label>
            </fieldset>
            <label for="l-severity">Severity</label>
            <select id="l-severity" name="severity">{{#severities}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/severities}}</select>
            <label for="l-labels">Servers with labels (<code>key=value</code>, comma-separated; empty: all)</label><input id="l-labels" name="labels" value="{{labels}}">
            <button type="submit">Create the log rule</button>
          </form>
        </section>
        {{/form}}
        {{/chrome.can.manageAlerts}}
        {{/body}}{{/layout}}
        """

    static let channels = """
        {{<layout}}{{$body}}
        <h1>Notification channels</h1>
        {{>alerts-nav}}
        {{#notice}}<p class="notice" role="status" id="channels-notice">{{notice}}</p>{{/notice}}
        {{#error}}<p class="error" role="alert" id="channels-error">{{error}}</p>{{/error}}
        <section class="card">
          {{#hasChannels}}
          <table class="list" id="channels">
            <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Address</th><th scope="col">Last delivery</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
            {{#channels}}
            <tr data-channel="{{name}}">
              <td>{{name}}</td><td>{{type}}</td><td><code>{{url}}</code></td>
              <td>{{#lastState}}<span class="status {{lastState}}">{{lastState}}</span> {{/lastState}}{{lastDelivery}}</td>
              <td>
                <form method="post" action="/alerts/channels/{{id}}/test" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">Send a test</button></form>
                <form method="post" action="/alerts/channels/{{id}}/delete" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" class="danger">Delete</button></form>
              </td>
            </tr>
            {{/channels}}
            </tbody>
          </table>
          {{/hasChannels}}
          {{^hasChannels}}<p class="empty">No channels yet.</p>{{/hasChannels}}
        </section>
        {{#form}}
        <section class="card" id="new-channel">
          <h2>New channel</h2>
          {{#error}}<p class="error" role="alert" id="channel-error">{{error}}</p>{{/error}}
          <form method="post" action="/alerts/channels" class="stacked">
            <input type="hidden" name="_csrf" value="{{chrome.csrf}}">
            <label for="c-name">Name</label><input id="c-name" name="name" value="{{name}}" required maxlength="100">
            <label for="c-type">Type</label>
            <select id="c-type" name="type">{{#types}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/types}}</select>
            <label for="c-url">Address (<code>https://…</code>, or <code>mailto:a@example.com</code> for e-mail)</label><input id="c-url" name="url" value="{{url}}" required>
            <label for="c-secret">Signing secret (webhooks only, 16 to 256 characters; it is not shown again)</label><input id="c-secret" name="secret" type="password" autocomplete="new-password">
            <button type="submit">Add the channel</button>
          </form>
        </section>
        {{/form}}
        {{/body}}{{/layout}}
        """

    static let events = """
        {{<layout}}{{$body}}
        <h1>Events</h1>
        {{>alerts-nav}}
        <section class="card">
          {{#hasEvents}}
          <table class="list" id="events">
            <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Server</th><th scope="col">What</th></tr></thead>
            <tbody>
            {{#events}}<tr><td><time datetime="{{iso}}">{{when}}</time></td><td><span class="status {{severity}}">{{kind}}</span></td><td>{{#serverID}}<a href="/servers/{{serverID}}">{{server}}</a>{{/serverID}}</td><td>{{message}}{{#jobID}} <a href="/jobs/{{jobID}}">job</a>{{/jobID}}</td></tr>{{/events}}
            </tbody>
          </table>
          {{/hasEvents}}
          {{^hasEvents}}<p class="empty">Nothing has happened yet.</p>{{/hasEvents}}
        </section>
        {{/body}}{{/layout}}
        """
}
