import Foundation
import StewardCore

/// The admin console's HTML. Every value goes through ``escape(_:)``; no page holds a script (the
/// Content-Security-Policy allows none), and the stylesheet is the hub console's.
enum AdminConsolePages {
    static func escape(_ text: String) -> String {
        text.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;").replacing("\"", with: "&quot;")
            .replacing("'", with: "&#39;")
    }

    static func layout(title: String, signedIn: Bool, _ body: String) -> String {
        let header =
            signedIn
            ? """
            <header class="top"><nav aria-label="Main"><a class="brand" href="/">Steward licensing</a><a href="/">Overview</a></nav>
            <div class="session"><form method="post" action="/logout" class="signout"><button type="submit">Sign out</button></form></div></header>
            """ : ""
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · Steward licensing</title><link rel="stylesheet" href="/assets/console.css"></head>
            <body><a class="skip" href="#main">Skip to the content</a>\(header)<main id="main">\(body)</main></body></html>
            """
    }

    static func login(error: String?) -> String {
        layout(
            title: "Sign in", signedIn: false,
            """
            <section class="card narrow"><h1>Sign in to the license service</h1>
            \(error.map { "<p class=\"error\" role=\"alert\" id=\"login-error\">\(escape($0))</p>" } ?? "")
            <form method="post" action="/login"><label for="admin_key">Administrator key</label>
            <input id="admin_key" name="admin_key" type="password" autocomplete="current-password" required>
            <button type="submit" class="primary">Sign in</button></form></section>
            """)
    }

    /// Clients with their instances, and how the instances' versions spread.
    static func overview(clients: [Wire.Licensing.Client], instances: [Wire.Licensing.Instance]) -> String {
        let byClient = Dictionary(grouping: instances, by: \.clientID)
        var versions: [String: Int] = [:]
        for instance in instances { versions[instance.version ?? "not activated", default: 0] += 1 }
        let spread = versions.sorted { $0.key < $1.key }.map { "<tr><td>\(escape($0.key))</td><td>\($0.value)</td></tr>" }.joined()
        let rows = clients.map { client in
            let own = byClient[client.id] ?? []
            let instanceRows =
                own.isEmpty
                ? "<tr><td colspan=\"5\">No instances.</td></tr>"
                : own.map { instance in
                    """
                    <tr><td><a href="/instances/\(escape(instance.id))">\(escape(instance.name))</a></td>
                    <td><span class="status \(escape(instance.state.rawValue))">\(escape(instance.state.rawValue))</span></td>
                    <td>\(escape(instance.version ?? "—"))</td><td>\(date(instance.lastTelemetryAt))</td>
                    <td>\(limit(instance.entitlements.maxServers)) servers, \(limit(instance.entitlements.maxUsers)) users</td></tr>
                    """
                }.joined()
            return """
                <section class="card"><h2>\(escape(client.name))</h2>\(client.contactEmail.map { "<p>\(escape($0))</p>" } ?? "")
                <table class="list"><thead><tr><th>Instance</th><th>License</th><th>Version</th><th>Last telemetry</th><th>Entitlements</th></tr></thead>
                <tbody>\(instanceRows)</tbody></table></section>
                """
        }.joined()
        return layout(
            title: "Overview", signedIn: true,
            """
            <h1>Clients and instances</h1>
            \(clients.isEmpty ? "<div class=\"empty\"><p>No clients yet. Create one with the admin API.</p></div>" : rows)
            <section class="card"><h2>Version spread</h2><table class="list" id="versions"><thead><tr><th>Version</th><th>Instances</th></tr></thead>
            <tbody>\(spread)</tbody></table></section>
            """)
    }

    /// One instance, its license, and the windows it sent: only what the allow-list kept.
    static func instance(
        _ instance: Wire.Licensing.Instance, client: Wire.Licensing.Client?, windows: [Wire.Licensing.TelemetryRecord]
    )
        -> String
    {
        let windowRows = windows.map { window in
            let body = (try? window.body.jsonText()) ?? "{}"
            return """
                <tr><td>\(date(window.windowStart)) – \(date(window.windowEnd))</td><td>\(window.droppedFields)</td>
                <td><pre>\(escape(body))</pre></td></tr>
                """
        }.joined()
        return layout(
            title: instance.name, signedIn: true,
            """
            <p class="crumbs"><a href="/">Overview</a> › \(escape(client?.name ?? instance.clientID))</p>
            <h1>\(escape(instance.name)) <span class="status \(escape(instance.state.rawValue))">\(escape(instance.state.rawValue))</span></h1>
            <section class="card"><dl class="facts">
            <dt>Instance id</dt><dd>\(escape(instance.id))</dd>
            <dt>Version</dt><dd>\(escape(instance.version ?? "—"))</dd>
            <dt>Activated</dt><dd>\(date(instance.activatedAt))</dd>
            <dt>Installation</dt><dd>\(escape(instance.fingerprint ?? "—"))\(instance.moveAllowed ? " (a move is allowed)" : "")</dd>
            <dt>Servers</dt><dd>\(limit(instance.entitlements.maxServers))</dd>
            <dt>Users</dt><dd>\(limit(instance.entitlements.maxUsers))</dd>
            <dt>Expires</dt><dd>\(date(instance.entitlements.expiresAt))</dd>
            </dl></section>
            <section class="card"><h2>Telemetry</h2>
            \(windows.isEmpty ? "<p>No telemetry yet.</p>" : "<table class=\"list\" id=\"windows\"><thead><tr><th>Window</th><th>Fields dropped</th><th>What was kept</th></tr></thead><tbody>\(windowRows)</tbody></table>")
            </section>
            """)
    }

    private static func limit(_ value: Int?) -> String {
        value.map(String.init) ?? "unlimited"
    }

    private static func date(_ value: Date?) -> String {
        guard let value else { return "—" }
        return escape(value.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false)))
    }
}
