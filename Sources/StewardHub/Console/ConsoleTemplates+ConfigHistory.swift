/// The config history pages' templates.
extension ConsoleTemplates {
    static let configFiles = """
        {{<layout}}{{$body}}
        <p class="crumbs"><a href="/servers/{{serverID}}">{{serverName}}</a> › config history</p>
        <h1>Config history</h1>
        {{#error}}<p class="error" role="alert" id="config-error">{{error}}</p>{{/error}}
        <p>Every file a job wrote, and each app's declared config files, with a version each time one changed. Values of secret-looking keys are masked.</p>
        {{#hasFiles}}
        <table class="list" id="config-files">
          <thead><tr><th scope="col">File</th><th scope="col">Latest</th><th scope="col">Changed by</th><th scope="col">When</th></tr></thead>
          <tbody>
          {{#files}}
          <tr data-path="{{path}}">
            <td><a href="/servers/{{serverID}}/config?{{query}}"><code>{{path}}</code></a>{{#deleted}} <span class="status failed">removed</span>{{/deleted}}</td>
            <td><code>{{sha}}</code> · {{size}} · {{source}}</td><td>{{author}}</td><td>{{when}}</td>
          </tr>
          {{/files}}
          </tbody>
        </table>
        <p>
          {{#canRun}}<form method="post" action="/servers/{{serverID}}/config/check" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">Check for drift now</button></form>{{/canRun}}
          <a href="/servers/{{serverID}}/config/export" download>Download as a git repository (tar)</a>
        </p>
        {{/hasFiles}}
        {{^hasFiles}}<p class="empty">No file has been written by a job on this server yet.</p>{{/hasFiles}}
        {{/body}}{{/layout}}
        """

    static let configVersions = """
        {{<layout}}{{$body}}
        <p class="crumbs"><a href="/servers/{{serverID}}">{{serverName}}</a> › <a href="/servers/{{serverID}}/config">config history</a></p>
        <h1><code>{{path}}</code></h1>
        {{#error}}<p class="error" role="alert" id="config-error">{{error}}</p>{{/error}}
        <form method="get" action="/servers/{{serverID}}/config/diff" id="compare">
        <table class="list" id="config-versions">
          <thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Version</th><th scope="col">Content</th><th scope="col">Changed by</th><th scope="col">When</th></tr></thead>
          <tbody>
          {{#versions}}
          <tr data-version="{{id}}">
            <td><input type="radio" name="from" value="{{id}}" aria-label="compare from {{shortID}}"{{#fromChecked}} checked{{/fromChecked}}></td>
            <td><input type="radio" name="to" value="{{id}}" aria-label="compare to {{shortID}}"{{#toChecked}} checked{{/toChecked}}></td>
            <td><code>{{shortID}}</code> <small>{{source}}</small>{{#jobID}} · <a href="/jobs/{{jobID}}">job</a>{{/jobID}}</td>
            <td>{{#deleted}}<span class="status failed">removed</span>{{/deleted}}{{^deleted}}<code>{{sha}}</code> · {{size}}{{/deleted}}</td>
            <td>{{author}}</td><td>{{when}}</td>
          </tr>
          {{/versions}}
          </tbody>
        </table>
        {{#canCompare}}<p><button type="submit">Compare</button></p>{{/canCompare}}
        </form>
        {{#canRestore}}
        <section class="card" id="restore" aria-labelledby="restore-heading">
          <h2 id="restore-heading">Restore a version</h2>
          <p>The file is written back as it was (its mode and owner stay), as a job. Type the file's path to confirm.</p>
          {{#versions}}{{#restorable}}
          <form method="post" action="/servers/{{serverID}}/config/versions/{{id}}/restore" class="inline" data-restore="{{id}}">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <label>Version <code>{{shortID}}</code> ({{when}}) <input name="confirm" required autocomplete="off" placeholder="{{path}}"></label>
            <button type="submit" class="danger">Restore</button>
          </form>
          {{/restorable}}{{/versions}}
        </section>
        {{/canRestore}}
        {{/body}}{{/layout}}
        """

    static let configDiff = """
        {{<layout}}{{$body}}
        <p class="crumbs"><a href="/servers/{{serverID}}">{{serverName}}</a> › <a href="/servers/{{serverID}}/config">config history</a> › <a href="/servers/{{serverID}}/config?{{query}}"><code>{{path}}</code></a></p>
        <h1>Changes from <code>{{from}}</code> to <code>{{to}}</code></h1>
        {{#same}}<p class="empty">The two versions show the same content.</p>{{/same}}
        {{^same}}<pre class="diff" id="diff">{{#lines}}<span class="{{kind}}">{{text}}</span>
        {{/lines}}</pre>{{/same}}
        {{/body}}{{/layout}}
        """
}
