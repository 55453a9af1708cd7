/// The account, team and tenants pages.
extension ConsoleTemplates {
    static let account = """
        {{<layout}}{{$body}}
        <h1>Your account</h1>
        {{#notice}}<p class="notice" role="status" id="account-notice">{{notice}}</p>{{/notice}}
        <section class="card">
          <h2>You</h2>
          <dl class="facts"><dt>E-mail</dt><dd>{{email}}</dd><dt>Name</dt><dd>{{name}}</dd><dt>Tenant</dt><dd>{{tenant}}</dd><dt>Role here</dt><dd id="my-role">{{role}}</dd></dl>
        </section>
        <section class="card" id="two-factor" aria-labelledby="two-factor-heading">
          <h2 id="two-factor-heading">Two-factor sign-in</h2>
          {{#twoFactor.error}}<p class="error" role="alert" id="two-factor-error">{{twoFactor.error}}</p>{{/twoFactor.error}}
          {{#twoFactor.hasBackupCodes}}
          <div class="created">
            <p>Your backup codes, shown only now. Each signs you in once when you do not have your authenticator app; keep them somewhere safe.</p>
            <ul class="codes" id="backup-codes">{{#twoFactor.backupCodes}}<li><code>{{.}}</code></li>{{/twoFactor.backupCodes}}</ul>
          </div>
          {{/twoFactor.hasBackupCodes}}
          {{#twoFactor.on}}
          <p id="two-factor-status">On since {{twoFactor.since}}; {{twoFactor.backupCodesLeft}} backup codes left.</p>
          <form method="post" action="/account/two-factor/backup-codes">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <label for="regenerate-otp">Current code</label>
            <input id="regenerate-otp" name="otp" inputmode="numeric" autocomplete="one-time-code" required>
            <button type="submit">New backup codes</button>
          </form>
          <form method="post" action="/account/two-factor/disable">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <label for="disable-otp">Current code or a backup code</label>
            <input id="disable-otp" name="otp" autocomplete="one-time-code" required>
            <button type="submit" class="danger">Turn two-factor sign-in off</button>
          </form>
          {{/twoFactor.on}}
          {{^twoFactor.on}}
          {{#twoFactor.setup}}
          <p>Scan the code with an authenticator app (or type the key), then enter the code it shows to turn two-factor sign-in on.</p>
          <div class="qr" id="totp-qr">{{{svg}}}</div>
          <p class="hint">Key: <code id="totp-secret">{{secret}}</code></p>
          <p class="hint"><a id="totp-uri" href="{{uri}}">Open in an authenticator app on this device</a></p>
          <form method="post" action="/account/two-factor/confirm">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <label for="confirm-otp">Code from the app</label>
            <input id="confirm-otp" name="otp" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required>
            <button type="submit" class="primary">Turn two-factor sign-in on</button>
          </form>
          {{/twoFactor.setup}}
          {{^twoFactor.setup}}
          <p id="two-factor-status">Off{{#twoFactorRequired}}: this tenant requires it of admins and owners{{/twoFactorRequired}}.</p>
          <form method="post" action="/account/two-factor">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <button type="submit" class="primary" id="start-two-factor">Set up two-factor sign-in</button>
          </form>
          {{/twoFactor.setup}}
          {{/twoFactor.on}}
        </section>
        <section class="card">
          <h2>Password</h2>
          <form method="post" action="/account/password" novalidate>
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <label for="current-password">Current password</label>
            <input id="current-password" name="current_password" type="password" autocomplete="current-password" required{{#password.currentError}} aria-invalid="true" aria-describedby="current-password-error"{{/password.currentError}}>
            {{#password.currentError}}<p class="field-error" id="current-password-error">{{password.currentError}}</p>{{/password.currentError}}
            <label for="new-password">New password <span class="optional">(at least 12 characters)</span></label>
            <input id="new-password" name="new_password" type="password" autocomplete="new-password" minlength="12" required{{#password.newError}} aria-invalid="true" aria-describedby="new-password-error"{{/password.newError}}>
            {{#password.newError}}<p class="field-error" id="new-password-error">{{password.newError}}</p>{{/password.newError}}
            <button type="submit">Change password</button>
          </form>
        </section>
        <section class="card" id="tokens">
          <h2>API tokens</h2>
          <p class="hint">For the <code>steward</code> command and automation, in this tenant. <code>steward login</code> makes one too.</p>
          {{#tokens.created}}<div class="created"><p>Your new token, shown only now:</p><pre class="command" id="api-token-value">{{tokens.created}}</pre></div>{{/tokens.created}}
          {{#tokens.error}}<p class="error" role="alert">{{tokens.error}}</p>{{/tokens.error}}
          <form method="post" action="/account/tokens">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <label for="token-name">Name</label>
            <input id="token-name" name="name" maxlength="200" placeholder="ci, laptop…">
            <label for="token-role">Role <span class="optional">(at most yours)</span></label>
            <select id="token-role" name="role">{{#tokens.roles}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/tokens.roles}}</select>
            <label for="token-expires">Expires</label>
            <select id="token-expires" name="expires">{{#tokens.expiries}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/tokens.expiries}}</select>
            <button type="submit">Create token</button>
          </form>
          {{#tokens.hasRows}}
          <table class="list">
            <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>{{#tokens.rows}}<tr><td>{{name}}</td><td>{{role}}</td><td>{{created}}</td><td>{{lastUsed}}</td><td>{{expires}}</td><td><form method="post" action="/account/tokens/{{id}}/revoke"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" aria-label="Revoke token {{name}}">Revoke</button></form></td></tr>{{/tokens.rows}}</tbody>
          </table>
          {{/tokens.hasRows}}
        </section>
        <section class="card" id="sessions">
          <h2>Console sessions</h2>
          <table class="list">
            <thead><tr><th scope="col">Browser</th><th scope="col">Address</th><th scope="col">Signed in</th><th scope="col">Last used</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>{{#sessions}}<tr><td>{{browser}}</td><td>{{address}}</td><td>{{created}}</td><td>{{lastUsed}}</td><td>{{#current}}this session{{/current}}{{^current}}<form method="post" action="/account/sessions/{{id}}/end"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit">End</button></form>{{/current}}</td></tr>{{/sessions}}</tbody>
          </table>
        </section>
        <section class="card">
          <h2>Sign-in history</h2>
          {{#hasSignIns}}
          <table class="list">
            <thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">From</th></tr></thead>
            <tbody>{{#signIns}}<tr><td><time datetime="{{iso}}">{{when}}</time></td><td>{{action}}</td><td>{{source}}</td></tr>{{/signIns}}</tbody>
          </table>
          {{/hasSignIns}}
          {{^hasSignIns}}<p class="empty">No sign-ins recorded yet.</p>{{/hasSignIns}}
        </section>
        {{/body}}{{/layout}}
        """

    static let team = """
        {{<layout}}{{$body}}
        <h1>Team</h1>
        {{#notice}}<p class="notice" role="status" id="team-notice">{{notice}}</p>{{/notice}}
        {{#error}}<p class="error" role="alert" id="team-error">{{error}}</p>{{/error}}
        <section class="card">
          <h2>Members</h2>
          <table class="list" id="members">
            <thead><tr><th scope="col">E-mail</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
            {{#members}}
            <tr data-member="{{email}}">
              <td>{{email}}{{#isSelf}} (you){{/isSelf}}</td>
              <td>{{name}}</td>
              <td>{{#canChangeRole}}<form method="post" action="/team/members/{{id}}" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><label class="sr-only" for="role-{{id}}">Role of {{email}}</label><select id="role-{{id}}" name="role">{{#roles}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/roles}}</select> <button type="submit">Save</button></form>{{/canChangeRole}}{{^canChangeRole}}{{role}}{{/canChangeRole}}</td>
              <td>{{#disabled}}disabled{{/disabled}}{{^disabled}}active{{/disabled}}</td>
              <td>
                {{#canDisable}}<form method="post" action="/team/members/{{id}}" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}">{{#disabled}}<input type="hidden" name="disabled" value="false"><button type="submit">Enable</button>{{/disabled}}{{^disabled}}<input type="hidden" name="disabled" value="true"><button type="submit">Disable</button>{{/disabled}}</form>{{/canDisable}}
                {{#canRemove}}<form method="post" action="/team/members/{{id}}/remove" class="inline"><input type="hidden" name="_csrf" value="{{csrf}}"><label class="sr-only" for="remove-{{id}}">Type {{email}} to remove them</label><input id="remove-{{id}}" name="confirm" placeholder="type {{email}}" autocomplete="off" required> <button type="submit" class="danger">Remove</button></form>{{/canRemove}}
              </td>
            </tr>
            {{/members}}
            </tbody>
          </table>
        </section>
        <section class="card" id="invite">
          <h2>Invite someone</h2>
          {{#invitationLink}}
          <div class="created">
            <p>{{#invitationMailed}}The link was e-mailed. {{/invitationMailed}}The invitation link, shown only now (it works once, for 7 days):</p>
            <pre class="command" id="invitation-link">{{invitationLink}}</pre>
          </div>
          {{/invitationLink}}
          <form method="post" action="/team/invitations" novalidate>
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <label for="invite-email">E-mail</label>
            <input id="invite-email" name="email" type="email" value="{{inviteEmail}}" required{{#inviteError}} aria-invalid="true" aria-describedby="invite-error"{{/inviteError}}>
            {{#inviteError}}<p class="field-error" id="invite-error">{{inviteError}}</p>{{/inviteError}}
            <label for="invite-role">Role</label>
            <select id="invite-role" name="role">{{#inviteRoles}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/inviteRoles}}</select>
            <button type="submit" class="primary">Invite</button>
          </form>
        </section>
        <section class="card" id="invitations">
          <h2>Invitations</h2>
          {{#hasInvitations}}
          <table class="list">
            <thead><tr><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col">Expires</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>{{#invitations}}<tr><td>{{email}}</td><td>{{role}}</td><td><span class="status {{status}}">{{status}}</span></td><td>{{expires}}</td><td>{{#open}}<form method="post" action="/team/invitations/{{id}}/revoke"><input type="hidden" name="_csrf" value="{{csrf}}"><button type="submit" aria-label="Revoke the invitation of {{email}}">Revoke</button></form>{{/open}}</td></tr>{{/invitations}}</tbody>
          </table>
          {{/hasInvitations}}
          {{^hasInvitations}}<p class="empty">No invitations yet.</p>{{/hasInvitations}}
        </section>
        {{#tenant.canEdit}}
        <section class="card">
          <h2>Tenant settings</h2>
          <form method="post" action="/team/tenant">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <label for="tenant-name">Name</label>
            <input id="tenant-name" name="name" value="{{tenant.name}}" maxlength="200" required>
            <label for="tenant-seats">Seats <span class="optional">(members and open invitations; empty: no cap)</span></label>
            <input id="tenant-seats" name="max_users" type="number" min="0" value="{{tenant.maxUsers}}">
            <label class="check"><input type="checkbox" name="require_two_factor" value="true"{{#tenant.requireTwoFactor}} checked{{/tenant.requireTwoFactor}}> Require two-factor sign-in for admins and owners</label>
            <button type="submit">Save settings</button>
          </form>
        </section>
        {{/tenant.canEdit}}
        {{#tenant.canDelete}}
        <section class="card danger">
          <h2>Delete this tenant</h2>
          <p>Its servers' agents, registration tokens, API tokens, sessions and invitations stop working at once. Its records stay for the audit trail.</p>
          <form method="post" action="/team/tenant/delete">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <label for="tenant-confirm">Type the tenant's slug, <strong>{{tenant.slug}}</strong>, to confirm</label>
            <input id="tenant-confirm" name="confirm" autocomplete="off" required{{#tenant.confirmError}} aria-invalid="true" aria-describedby="tenant-confirm-error"{{/tenant.confirmError}}>
            {{#tenant.confirmError}}<p class="field-error" id="tenant-confirm-error">{{tenant.confirmError}}</p>{{/tenant.confirmError}}
            <button type="submit" class="danger">Delete {{tenant.name}}</button>
          </form>
        </section>
        {{/tenant.canDelete}}
        {{/body}}{{/layout}}
        """

    static let tenants = """
        {{<layout}}{{$body}}
        <h1>Tenants</h1>
        <section class="card">
          <table class="list" id="tenant-list">
            <thead><tr><th scope="col">Name</th><th scope="col">Slug</th><th scope="col">Your role</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>{{#rows}}<tr><td>{{name}}</td><td><code>{{slug}}</code></td><td>{{role}}</td><td>{{#current}}current{{/current}}{{^current}}<form method="post" action="/tenant"><input type="hidden" name="_csrf" value="{{csrf}}"><input type="hidden" name="tenant" value="{{slug}}"><button type="submit">Switch to it</button></form>{{/current}}</td></tr>{{/rows}}</tbody>
          </table>
        </section>
        <section class="card">
          <h2>New tenant</h2>
          {{#hasErrors}}<div class="error" role="alert"><ul>{{#errors}}<li>{{.}}</li>{{/errors}}</ul></div>{{/hasErrors}}
          <form method="post" action="/tenants">
            <input type="hidden" name="_csrf" value="{{csrf}}">
            <label for="new-tenant-name">Name</label>
            <input id="new-tenant-name" name="name" value="{{name}}" maxlength="200" required>
            <label for="new-tenant-slug">Slug <span class="optional">(lower-case letters, digits and dashes)</span></label>
            <input id="new-tenant-slug" name="slug" value="{{slug}}" maxlength="63" required>
            <button type="submit" class="primary">Create tenant</button>
          </form>
        </section>
        {{/body}}{{/layout}}
        """
}
