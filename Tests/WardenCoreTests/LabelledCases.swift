import WardenCore

/// A small change and what Warden must (and must not) conclude from it.
struct LabelledCase: Sendable, CustomStringConvertible {
    var name: String
    var path: String
    var added: [String] = []
    var removed: [String] = []
    /// Areas that must be flagged.
    var flags: Set<Area> = []
    /// Areas that must not be flagged.
    var never: Set<Area> = []
    /// Rules that must have a finding.
    var rules: [String] = []
    /// Rules that must not have a finding.
    var notRules: [String] = []

    var description: String { name }

    /// The change as a git diff.
    var diff: String {
        var text = "diff --git a/\(path) b/\(path)\n--- a/\(path)\n+++ b/\(path)\n"
        text += "@@ -1,\(removed.count) +1,\(added.count) @@\n"
        text += removed.map { "-" + $0 + "\n" }.joined()
        text += added.map { "+" + $0 + "\n" }.joined()
        return text
    }
}

private func flag(_ area: Area, _ name: String, _ path: String, add: [String] = [], remove: [String] = [], rules: [String] = []) -> LabelledCase {
    LabelledCase(name: name, path: path, added: add, removed: remove, flags: [area], rules: rules)
}

private func clean(_ name: String, _ path: String, add: [String] = [], remove: [String] = [], never: Set<Area> = Set(Area.allCases), notRules: [String] = [], rules: [String] = []) -> LabelledCase {
    LabelledCase(name: name, path: path, added: add, removed: remove, never: never, rules: rules, notRules: notRules)
}

enum LabelledCases {
    static let auth: [LabelledCase] = [
        clean("java: an import from an oauth2 package is not token handling", "src/main/java/org/acme/oauth2/View.java", add: ["import org.acme.oauth2.common.util.RandomValueStringGenerator;"], never: [], notRules: ["auth.jwt", "auth.token-verification"]),
        flag(.auth, "javascript: requiring a JWT library still counts", "server/tokens.js", add: ["const jwt = require('jsonwebtoken')"], rules: ["auth.token-verification"]),
        flag(.auth, "python: login_required removed", "app/views.py", remove: ["@login_required"], rules: ["auth.decorator"]),
        flag(.auth, "python: django permission check", "app/views.py", add: ["    if not request.user.has_perm(\"app.delete_post\"):"]),
        flag(.auth, "python: csrf_exempt added", "app/views.py", add: ["@csrf_exempt", "def webhook(request):"], rules: ["auth.csrf"]),
        flag(.auth, "python: django password check", "app/accounts.py", add: ["    if not user.check_password(form.cleaned_data['password']):"]),
        flag(.auth, "python: session key rotated", "app/views.py", add: ["    request.session.cycle_key()"]),
        flag(.auth, "javascript: passport middleware", "server/routes.js", add: ["app.use('/api', passport.authenticate('jwt', { session: false }))"]),
        flag(.auth, "javascript: jwt.verify", "server/token.js", add: ["const claims = jwt.verify(token, process.env.JWT_SECRET)"]),
        flag(.auth, "typescript: ownership check with 403", "src/routes/docs.ts", add: ["if (req.user.id !== doc.ownerId) { return res.status(403).send() }"]),
        flag(.auth, "typescript: Angular route guard", "src/app/app.routes.ts", add: ["{ path: 'admin', component: AdminPage, canActivate: [AdminGuard] },"]),
        flag(.auth, "go: admin check with 403", "internal/api/users.go", add: ["if !user.IsAdmin() {", "    http.Error(w, \"forbidden\", http.StatusForbidden)"]),
        flag(.auth, "go: jwt.ParseWithClaims", "internal/api/token.go", add: ["token, err := jwt.ParseWithClaims(raw, &Claims{}, keyFunc)"]),
        flag(.auth, "java: PreAuthorize", "src/main/java/com/acme/AdminController.java", add: ["    @PreAuthorize(\"hasRole('ADMIN')\")"]),
        flag(.auth, "java: session invalidated", "src/main/java/com/acme/LogoutServlet.java", add: ["        request.getSession().invalidate();"]),
        flag(.auth, "kotlin: Secured", "src/main/kotlin/com/acme/Reports.kt", add: ["    @Secured(\"ROLE_USER\")"]),
        flag(.auth, "ruby: devise before_action", "app/controllers/posts_controller.rb", add: ["  before_action :authenticate_user!"]),
        flag(.auth, "ruby: CSRF check skipped", "app/controllers/api_controller.rb", add: ["  skip_before_action :verify_authenticity_token"]),
        flag(.auth, "php: Laravel can + abort(403)", "app/Http/Controllers/PostController.php", add: ["if (! $request->user()->can('update', $post)) { abort(403); }"]),
        flag(.auth, "php: password_verify", "src/Login.php", add: ["if (!password_verify($password, $row['hash'])) {"]),
        flag(.auth, "csharp: Authorize attribute", "Controllers/AdminController.cs", add: ["    [Authorize(Roles = \"Admin\")]"]),
        flag(.auth, "csharp: AllowAnonymous added", "Controllers/ReportsController.cs", add: ["    [AllowAnonymous]"]),
        flag(.auth, "swift: Vapor unauthorized", "Sources/App/Controllers/AdminController.swift", add: ["guard user.isAdmin else { throw Abort(.unauthorized) }"]),
        flag(.auth, "rust: scope check returning FORBIDDEN", "src/handlers.rs", add: ["if !claims.has_scope(\"admin\") { return Err(StatusCode::FORBIDDEN); }"]),
        flag(.auth, "c: PAM authentication", "src/login.c", add: ["if (pam_authenticate(pamh, 0) != PAM_SUCCESS) {"]),
        flag(.auth, "path: auth module", "services/auth/handlers.go", add: ["func refresh(w http.ResponseWriter, r *http.Request) {}"], rules: ["auth.path.module"]),
        flag(.auth, "path: sessions controller", "app/controllers/sessions_controller.rb", add: ["  def create; end"]),
        LabelledCase(name: "go test only: no auth routing", path: "internal/api/users_test.go", added: ["if !user.IsAdmin() { t.Fatal(\"x\") }"], never: [.auth]),
        LabelledCase(name: "author is not auth", path: "app/models/author.py", added: ["class Author(Model):", "    name = CharField()"], never: [.auth]),
        clean("python: unrelated arithmetic", "app/math.py", add: ["def add(a, b):", "    return a + b"]),
        flag(.auth, "python: password length limits in a form", "app/forms.py", add: ["                min=self.app.cfg.password_min_length,", "                max=self.app.cfg.password_max_length,"], rules: ["auth.password-policy"]),
        flag(.auth, "yaml: password expiry setting", "config/security.yml", add: ["  password_expiry_days: 90"], rules: ["auth.password-policy"]),
        flag(.auth, "python: SSH key fingerprints made unique", "app/model/sshkey.py", add: ["sshkey_fingerprint_index = Index('sshkey_fingerprint_index', SshKey.fingerprint, unique=True)"], rules: ["auth.ssh-keys"]),
        flag(.auth, "go: authorized_keys written", "internal/keys/install.go", add: ["\tpath := filepath.Join(home, \".ssh\", \"authorized_keys\")"], rules: ["auth.ssh-keys"]),
        clean("markdown: SSH key how-to is documentation", "docs/ssh.md", add: ["Add your SSH key to `~/.ssh/authorized_keys`."]),
        clean("python: a database password from the environment is not a password policy", "app/settings.py", add: ["DB_PASSWORD = os.environ['DB_PASSWORD']"], never: [.auth], notRules: ["auth.password-policy"]),
    ]

    static let crypto: [LabelledCase] = [
        flag(.crypto, "python: Pyramid's constant-time strings_differ replaces !=", "pyramid/authentication.py", add: ["        if strings_differ(digest, expected):"], remove: ["        if digest != expected:"], rules: ["crypto.constant-time"]),
        flag(.crypto, "go: hmac.Equal on a signature", "internal/webhook/verify.go", add: ["\tif !hmac.Equal(sig, mac.Sum(nil)) {"], rules: ["crypto.constant-time"]),
        flag(.crypto, "java: Bouncy Castle constant-time array compare", "core/src/main/java/org/bouncycastle/crypto/signers/Check.java", add: ["        return Arrays.constantTimeAreEqual(expected, actual);"], rules: ["crypto.constant-time"]),
        flag(.crypto, "python: md5 of a password", "app/users.py", add: ["digest = hashlib.md5(password.encode()).hexdigest()"], rules: ["crypto.weak-hash"]),
        flag(.crypto, "java: AES in ECB mode", "src/main/java/com/acme/Vault.java", add: ["Cipher c = Cipher.getInstance(\"AES/ECB/PKCS5Padding\");"]),
        flag(.crypto, "go: InsecureSkipVerify", "internal/client/tls.go", add: ["cfg := &tls.Config{InsecureSkipVerify: true}"]),
        flag(.crypto, "python: verify=False", "app/client.py", add: ["resp = requests.get(url, verify=False)"], rules: ["crypto.tls-verification"]),
        flag(.crypto, "javascript: sha1 createHash", "lib/sign.js", add: ["const h = crypto.createHash('sha1').update(body).digest('hex')"]),
        flag(.crypto, "javascript: TLS rejection disabled", "scripts/fetch.js", add: ["process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'"]),
        flag(.crypto, "python: compare_digest", "app/webhooks.py", add: ["    return hmac.compare_digest(expected, signature)"]),
        flag(.crypto, "go: ConstantTimeCompare", "internal/auth/hmac.go", add: ["return subtle.ConstantTimeCompare(a, b) == 1"]),
        flag(.crypto, "ruby: OpenSSL cipher", "lib/vault.rb", add: ["cipher = OpenSSL::Cipher.new('aes-256-cbc')"]),
        flag(.crypto, "php: openssl_encrypt ECB", "src/Crypto.php", add: ["$c = openssl_encrypt($data, 'aes-128-ecb', $key);"]),
        flag(.crypto, "csharp: RNGCryptoServiceProvider", "Security/Tokens.cs", add: ["using var rng = new RNGCryptoServiceProvider();"]),
        flag(.crypto, "c: OpenSSL verification off", "src/tls.c", add: ["SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);"]),
        flag(.crypto, "rust: invalid certificates accepted", "src/client.rs", add: ["let client = reqwest::Client::builder().danger_accept_invalid_certs(true).build()?;"]),
        flag(.crypto, "swift: SecRandomCopyBytes", "Sources/Keys/Random.swift", add: ["let status = SecRandomCopyBytes(kSecRandomDefault, bytes.count, &bytes)"]),
        flag(.crypto, "kotlin: SecureRandom", "src/main/kotlin/Tokens.kt", add: ["val random = SecureRandom()"]),
        flag(.crypto, "java: RSA key pair", "src/main/java/com/acme/Keys.java", add: ["KeyPairGenerator gen = KeyPairGenerator.getInstance(\"RSA\");"]),
        flag(.crypto, "path: crypto module", "pkg/crypto/aead.go", add: ["func seal(b []byte) []byte { return b }"]),
        LabelledCase(name: "python: md5 as a cache key is not a weak-hash finding", path: "app/cache.py", added: ["cache_key = hashlib.md5(url.encode()).hexdigest()"], never: [.crypto], notRules: ["crypto.weak-hash"]),
        LabelledCase(name: "go: math/rand for jitter only needs corroboration", path: "internal/retry/backoff.go", added: ["d := time.Duration(rand.Int63n(int64(max)))"], never: [.crypto], rules: ["crypto.insecure-random"]),
        clean("javascript: string reversal", "src/util.js", add: ["const reversed = s.split('').reverse().join('')"]),
    ]

    static let fileIO: [LabelledCase] = [
        flag(.fileIO, "python: open a joined upload path", "app/uploads.py", add: ["with open(os.path.join(UPLOAD_DIR, filename), 'wb') as f:"]),
        flag(.fileIO, "go: filepath.Join with the URL path", "internal/static/serve.go", add: ["p := filepath.Join(root, r.URL.Path)"]),
        flag(.fileIO, "javascript: readFile on a request param", "server/files.js", add: ["fs.readFile(path.join(__dirname, req.params.name), cb)"]),
        flag(.fileIO, "java: canonical path check", "src/main/java/com/acme/Files.java", add: ["if (!file.getCanonicalPath().startsWith(base.getCanonicalPath())) {"]),
        flag(.fileIO, "php: include of request input", "index.php", add: ["include($_GET['page'] . '.php');"]),
        flag(.fileIO, "ruby: send_file of params", "app/controllers/downloads_controller.rb", add: ["    send_file params[:path]"]),
        flag(.fileIO, "python: tar extractall", "app/importer.py", add: ["    tar.extractall(dest)"]),
        flag(.fileIO, "go: os.Symlink", "internal/store/link.go", add: ["if err := os.Symlink(target, link); err != nil {"]),
        flag(.fileIO, "c: chmod 0777", "src/install.c", add: ["chmod(path, 0777);"]),
        flag(.fileIO, "csharp: Path.Combine", "Services/Storage.cs", add: ["var full = Path.Combine(root, name);"]),
        flag(.fileIO, "rust: canonicalize", "src/fs.rs", add: ["let real = path.canonicalize()?;"]),
        flag(.fileIO, "python: zip extraction", "app/unpack.py", add: ["zipfile.ZipFile(upload).extractall(target)"]),
        flag(.fileIO, "typescript: traversal rejected", "src/files.ts", add: ["if (name.includes('../')) throw new Error('bad path')"]),
        flag(.fileIO, "test with a traversal payload", "tests/test_download.py", add: ["    resp = client.get('/download?f=../../etc/passwd')"]),
        flag(.fileIO, "swift: temp file permissions", "Sources/Store/Temp.swift", add: ["let fd = mkstemp(&template)", "fchmod(fd, 0o600)"]),
        LabelledCase(name: "javascript: window.open is not file access", path: "src/ui/links.js", added: ["window.open(url, '_blank')"], never: [.fileIO], notRules: ["file-io.open"]),
        clean("kotlin: data class", "src/main/kotlin/Model.kt", add: ["data class Point(val x: Int, val y: Int)"]),
        flag(.fileIO, "c: directory part stripped from a file name", "src/main.c", add: ["  q = strrchr(p, '\\\\');", "  if (q) p = q + 1;"], rules: ["file-io.path-separators"]),
        flag(.fileIO, "java: path split on File.separator", "src/main/java/com/acme/Export.java", add: ["        String[] parts = name.split(File.separator);"], rules: ["file-io.path-separators"]),
        flag(.fileIO, "php: DIRECTORY_SEPARATOR in a built path", "lib/Cache.php", add: ["\t$path = $this->dir . DIRECTORY_SEPARATOR . $key;"], rules: ["file-io.path-separators"]),
        clean("c: strrchr on a dot is not a path", "src/mime.c", add: ["  ext = strrchr(name, '.');"], notRules: ["file-io.path-separators"]),
        flag(.fileIO, "html: the project's advisory page names an arbitrary file deletion", "site/src/content/CVE-2020-0001.html", add: ["    <p>CVE-2020-0001: the library is vulnerable to an Arbitrary File Deletion on the local host when unmarshalling.</p>"], rules: ["file-io.intent"]),
        clean("html under docs/ is documentation, not evidence", "docs/advisories/CVE-2020-0001.html", add: ["    <p>the library is vulnerable to an Arbitrary File Deletion on the local host.</p>"], notRules: ["file-io.intent"]),
    ]

    static let sql: [LabelledCase] = [
        flag(.sql, "python: concatenated query in a neutral file", "app/reports.py", add: ["cursor.execute(\"SELECT * FROM t WHERE id = \" + uid)"]),
        flag(.sql, "python: concatenated query", "app/db.py", add: ["cursor.execute(\"SELECT * FROM users WHERE name = '\" + name + \"'\")"], rules: ["sql.concatenated-query"]),
        flag(.sql, "python: f-string query", "app/db.py", add: ["cursor.execute(f\"DELETE FROM sessions WHERE id = {sid}\")"]),
        flag(.sql, "javascript: template literal query", "server/db.js", add: ["db.query(`SELECT * FROM users WHERE id = ${req.params.id}`)"]),
        flag(.sql, "go: Sprintf query", "internal/store/users.go", add: ["rows, err := db.Query(fmt.Sprintf(\"SELECT * FROM users WHERE name = '%s'\", name))"]),
        flag(.sql, "java: concatenated executeQuery", "src/main/java/com/acme/UserDao.java", add: ["ResultSet rs = stmt.executeQuery(\"SELECT * FROM users WHERE id = \" + id);"]),
        flag(.sql, "php: mysqli_query with GET", "users.php", add: ["$r = mysqli_query($conn, \"SELECT * FROM users WHERE id = \" . $_GET['id']);"]),
        flag(.sql, "ruby: where with interpolation", "app/models/user.rb", add: ["User.where(\"name = '#{params[:name]}'\")"]),
        flag(.sql, "csharp: concatenated SqlCommand", "Data/Users.cs", add: ["var cmd = new SqlCommand(\"SELECT * FROM Users WHERE Name = '\" + name + \"'\", conn);"]),
        flag(.sql, "kotlin: string template query", "src/main/kotlin/Repo.kt", add: ["jdbcTemplate.queryForList(\"SELECT * FROM t WHERE a = '$a'\")"]),
        flag(.sql, "swift: interpolated SQL", "Sources/Store/DB.swift", add: ["try db.execute(sql: \"DELETE FROM t WHERE id = \\(id)\")"]),
        flag(.sql, "SQL file", "db/schema.sql", add: ["CREATE TABLE users (id INTEGER PRIMARY KEY);"]),
        flag(.sql, "rails migration", "db/migrate/20240101000000_add_role.rb", add: ["add_column :users, :role, :string"]),
        flag(.sql, "mongo $where", "server/search.js", add: ["db.users.find({ $where: \"this.name == '\" + name + \"'\" })"]),
        flag(.sql, "escaping added", "lib/query.js", add: ["const v = connection.escape(value)"]),
        flag(.sql, "comment says SQL injection", "internal/store/search.go", add: ["// Prevent SQL injection through the sort column", "col = allowed[col]"]),
        LabelledCase(name: "python: parameterised query is not concatenation", path: "app/reports.py", added: ["cursor.execute(\"SELECT * FROM users WHERE id = %s\", (uid,))"], rules: ["sql.query-call"], notRules: ["sql.concatenated-query"]),
        LabelledCase(name: "java: prepared statement is not concatenation", path: "src/main/java/com/acme/Reports.java", added: ["PreparedStatement ps = conn.prepareStatement(\"SELECT * FROM t WHERE id = ?\");", "ps.setInt(1, id);"], notRules: ["sql.concatenated-query"]),
        LabelledCase(name: "go: placeholders are not concatenation", path: "internal/reports/t.go", added: ["_, err := db.Exec(\"UPDATE t SET a = $1 WHERE id = $2\", a, id)"], notRules: ["sql.concatenated-query"]),
        LabelledCase(name: "css cursor is not a database cursor", path: "src/ui/button.ts", added: ["const style = { cursor: 'pointer' }"], never: [.sql], notRules: ["sql.query-call"]),
        LabelledCase(name: "english 'where' in an f-string is not SQL", path: "app/cli.py", added: ["print(f\"Selected {n} items where possible\")"], never: [.sql], notRules: ["sql.concatenated-query"]),
        flag(.sql, "php: sort fields from the request trimmed", "core/filter_api.php", add: ["\t$t_sort_fields = array_slice( $t_sort_fields, 0, 2 );"], rules: ["sql.sort-input"]),
        flag(.sql, "python: order_by column checked against a list", "app/reports.py", add: ["    if order_by not in ALLOWED_COLUMNS:"], rules: ["sql.sort-input"]),
        clean("javascript: UI list sorting is not SQL", "src/table.js", add: ["const rows = sortBy(items, sortField)"], notRules: ["sql.sort-input"]),
    ]

    static let config: [LabelledCase] = [
        flag(.config, "go: CORS middleware origin check", "middleware/cors/utils.go", add: ["\tisValid, normalized := normalizeOrigin(o)"], rules: ["config.path.security-middleware"]),
        flag(.config, "java: CORS filter", "src/main/java/org/acme/CorsFilter.java", add: ["        boolean allowed = origins.contains(origin);"], rules: ["config.path.security-middleware"]),
        clean("markdown: CORS guide is documentation", "docs/cors.md", add: ["Configure allowed origins in `cors.yml`."], notRules: ["config.path.security-middleware"]),
        flag(.config, "GitHub workflow", ".github/workflows/ci.yml", add: ["    runs-on: ubuntu-latest"]),
        flag(.config, "Dockerfile", "Dockerfile", add: ["FROM debian:12"]),
        flag(.config, "Kubernetes deployment", "k8s/deployment.yaml", add: ["  replicas: 3"]),
        flag(.config, "Terraform", "infra/main.tf", add: ["resource \"aws_s3_bucket\" \"logs\" {}"]),
        flag(.config, "nginx", "deploy/nginx.conf", add: ["    server_tokens off;"]),
        flag(.config, "GitLab CI", ".gitlab-ci.yml", add: ["test:", "  script: make test"]),
        flag(.config, "compose file", "docker-compose.yml", add: ["    ports: [\"8080:8080\"]"]),
        flag(.config, "htaccess", "public/.htaccess", add: ["Options -Indexes"]),
        flag(.config, "django DEBUG", "app/settings.py", add: ["DEBUG = True"], rules: ["config.debug-mode"]),
        flag(.config, "express cors", "server/app.js", add: ["app.use(cors({ origin: '*' }))"]),
        flag(.config, "go security header", "internal/web/headers.go", add: ["w.Header().Set(\"X-Frame-Options\", \"DENY\")"]),
        flag(.config, "helm privileged pod", "charts/app/templates/deploy.yaml", add: ["        privileged: true"]),
        flag(.config, "php display_errors", "public/index.php", add: ["ini_set('display_errors', 1);"]),
        flag(.config, "rails force_ssl", "config/environments/production.rb", add: ["  config.force_ssl = false"]),
        flag(.config, "asp.net any origin", "Startup.cs", add: ["app.UseCors(b => b.AllowAnyOrigin());"]),
        clean("python: plain settings value", "app/constants.py", add: ["PAGE_SIZE = 50"]),
    ]

    static let secrets: [LabelledCase] = [
        flag(.secrets, "AWS access key", "deploy/env.sh", add: ["export AWS_ACCESS_KEY_ID=AKIAQ3EGRNKZ4XWPL7TR"], rules: ["secrets.aws-access-key"]),
        flag(.secrets, "GitHub token", "scripts/release.py", add: ["TOKEN = 'ghp_R8x2mVq7LpZ3kT9wYc4NbH6sJd1FgE0aUoXi'"]),
        flag(.secrets, "private key block", "certs/server.txt", add: ["-----BEGIN RSA PRIVATE KEY-----", "MIIEpAIBAAKCAQEA7bq..."]),
        flag(.secrets, "python assigned password", "app/config.py", add: ["DB_PASSWORD = \"Sup3rS3cretPa55w0rd!\""], rules: ["secrets.assigned-credential"]),
        flag(.secrets, "yaml password", "config/app.yml", add: ["  password: hunter2hunter2X9qz"]),
        flag(.secrets, "Slack webhook", "ops/notify.js", add: ["const hook = 'https://hooks.slack.com/services/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'"]),
        flag(.secrets, "Stripe live key", "server/pay.rb", add: ["Stripe.api_key = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc9xQ2'"]),
        flag(.secrets, "URL credentials", "docker-compose.override.yml", add: ["      DATABASE_URL: postgres://admin:S3cr3tPassw0rd9@db.internal:5432/app"]),
        flag(.secrets, "dotenv file added", ".env", add: ["API_URL=https://api.example.com"]),
        flag(.secrets, "SSH private key file", "deploy/id_rsa", add: ["(key material)"]),
        flag(.secrets, "JWT in source", "src/api.ts", add: ["const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'"]),
        flag(.secrets, "removed hard-coded key still matters", "app/settings.py", remove: ["SECRET_TOKEN = 'ghp_R8x2mVq7LpZ3kT9wYc4NbH6sJd1FgE0aUoXi'"]),
        flag(.secrets, "go: password printed", "cmd/setpw/main.go", add: ["fmt.Fprintf(os.Stderr, \"the password is %s\\n\", newPassword)"]),
        flag(.secrets, "redaction of secrets", "app/logging.py", add: ["    return redact_secrets(record, keys=('password', 'token'))"]),
        // Found as key material; whether secrets is flagged beside auth and crypto is up to dominance.
        LabelledCase(name: "go: JWT signing key generated", path: "internal/auth/keys.go", added: ["\tjwtSecretKey = []byte(newValue)"], rules: ["secrets.key-material"]),
        flag(.secrets, "yaml: signing key setting", "deploy/operator/cr.yaml", add: ["      signing_key: \"\""], rules: ["secrets.key-material"]),
        clean("python: signing key read from the environment", "app/settings.py", add: ["SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]"], never: [.secrets], notRules: ["secrets.key-material"]),
        clean("go: JWT key from os.Getenv", "internal/auth/keys.go", add: ["\tjwtSecretKey = []byte(os.Getenv(\"JWT_SECRET\"))"], never: [.secrets], notRules: ["secrets.key-material"]),
        LabelledCase(name: "comparing a key is not assigning one", path: "app/keys.py", added: ["if secret_key == other:"], never: [.secrets]),
        LabelledCase(name: "environment lookup is not a secret", path: "app/config.py", added: ["password = os.environ[\"DB_PASSWORD\"]"], never: [.secrets]),
        LabelledCase(name: "process.env is not a secret", path: "src/config.js", added: ["const apiKey = process.env.API_KEY;"], never: [.secrets]),
        LabelledCase(name: "AWS documentation example key", path: "deploy/env.sh", added: ["export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"], never: [.secrets]),
        LabelledCase(name: "placeholder value", path: "app/config.py", added: ["API_KEY = \"<your-api-key-here>\""], never: [.secrets]),
        LabelledCase(name: "templated value", path: "config/app.yml", added: ["  token: \"${GITHUB_TOKEN}\""], never: [.secrets]),
        LabelledCase(name: "changeme", path: "app/config.py", added: ["password = \"changeme\""], never: [.secrets]),
        LabelledCase(name: "test fixture password", path: "tests/test_login.py", added: ["PASSWORD = \"Sup3rS3cretPa55w0rd!\""], never: [.secrets]),
        LabelledCase(name: ".env.example is a template", path: ".env.example", added: ["API_KEY="], never: [.secrets]),
    ]

    static let injection: [LabelledCase] = [
        flag(.injection, "ruby: Rails escape_once on a tag attribute", "actionview/lib/action_view/helpers/tag_helper.rb", add: ["          %(#{key}=\"#{escape_once(value)}\")"], rules: ["injection.html-escaping"]),
        flag(.injection, "java: OWASP encoder on output", "src/main/java/com/acme/web/Greeting.java", add: ["        out.println(\"Hello \" + Encode.forHtml(name));"], rules: ["injection.html-escaping"]),
        flag(.injection, "php: DokuWiki hsc() around a page id", "inc/html.php", add: ["    print '<a href=\"'.wl($id).'\">'.hsc($id).'</a>';"], rules: ["injection.html-escaping"]),
        flag(.injection, "php: MantisBT string_attribute on a request value", "manage_user_page.php", add: ["\t\t<input type=\"hidden\" name=\"filter\" value=\"<?php echo string_attribute( $t_filter ) ?>\" />"], rules: ["injection.html-escaping"]),
        clean("php: a hash() call is not hsc()", "lib/Cache.php", add: ["    $key = hash('sha256', $name);"], never: [.injection], notRules: ["injection.html-escaping"]),
        flag(.injection, "java: placeholders expanded in a template", "src/main/java/com/acme/ErrorView.java", add: ["        String result = helper.replacePlaceholders(maskedTemplate, resolver);"], rules: ["injection.placeholder-expansion"]),
        flag(.injection, "java: commons-text substitutor with lookups", "src/main/java/com/acme/Render.java", add: ["        StringSubstitutor interpolator = StringSubstitutor.createInterpolator();"], rules: ["injection.placeholder-expansion"]),
        clean("python: a comment about unescaped backslashes is not template output", "app/views/next.py", add: ["        # protect users from mishandling unescaped backslashes"], never: [], notRules: ["injection.template-raw"]),
        flag(.injection, "python: shell=True", "app/run.py", add: ["subprocess.call(cmd, shell=True)"], rules: ["injection.command-exec"]),
        flag(.injection, "python: os.system concatenation", "app/net.py", add: ["os.system(\"ping -c1 \" + host)"]),
        flag(.injection, "javascript: child_process.exec", "server/tools.js", add: ["child_process.exec('ls ' + dir, cb)"]),
        flag(.injection, "go: sh -c", "internal/run/run.go", add: ["cmd := exec.Command(\"sh\", \"-c\", userInput)"]),
        flag(.injection, "java: Runtime.exec", "src/main/java/com/acme/Shell.java", add: ["Process p = Runtime.getRuntime().exec(cmd);"]),
        flag(.injection, "php: shell_exec", "convert.php", add: ["$out = shell_exec(\"convert \" . $_GET['file']);"]),
        flag(.injection, "ruby: backticks with interpolation", "lib/tasks/files.rb", add: ["out = `ls #{params[:dir]}`"]),
        flag(.injection, "javascript: innerHTML", "src/ui/comment.js", add: ["el.innerHTML = userInput"], rules: ["injection.html-sink"]),
        flag(.injection, "react: dangerouslySetInnerHTML", "src/components/Bio.jsx", add: ["<div dangerouslySetInnerHTML={{ __html: bio }} />"]),
        flag(.injection, "vue: v-html", "src/components/Comment.vue", add: ["<div v-html=\"comment.body\"></div>"]),
        flag(.injection, "django: mark_safe", "app/templatetags/bio.py", add: ["    return mark_safe(user.bio)"]),
        flag(.injection, "erb: raw", "app/views/comments/show.html.erb", add: ["<%= raw @comment.body %>"]),
        flag(.injection, "python: pickle.loads", "app/cache.py", add: ["obj = pickle.loads(request.data)"]),
        flag(.injection, "python: yaml.load", "app/importer.py", add: ["data = yaml.load(stream)"]),
        flag(.injection, "java: ObjectInputStream", "src/main/java/com/acme/Load.java", add: ["Object o = new ObjectInputStream(in).readObject();"]),
        flag(.injection, "php: unserialize cookie", "session.php", add: ["$data = unserialize($_COOKIE['data']);"]),
        flag(.injection, "java: XML parser factory", "src/main/java/com/acme/Xml.java", add: ["DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();"]),
        flag(.injection, "javascript: eval", "server/calc.js", add: ["const result = eval(req.body.expr)"]),
        flag(.injection, "flask: render_template_string", "app/views.py", add: ["return render_template_string(request.args.get('t'))"]),
        flag(.injection, "javascript: __proto__ guard", "lib/merge.js", add: ["if (key === '__proto__') continue"]),
        flag(.injection, "csharp: Process.Start", "Tools/Runner.cs", add: ["Process.Start(\"cmd.exe\", \"/c \" + arg);"]),
        flag(.injection, "php: echo of GET", "search.php", add: ["echo $_GET['q'];"]),
        flag(.injection, "go: template.HTML of input", "internal/web/render.go", add: ["data.Body = template.HTML(userInput)"]),
        flag(.injection, "rust: Command::new sh", "src/exec.rs", add: ["let out = Command::new(\"sh\").arg(\"-c\").arg(&cmd).output()?;"]),
        flag(.injection, "php: htmlspecialchars added", "views/error.php", add: ["echo 'Not found: ' . htmlspecialchars($path);"]),
        flag(.injection, "test with an XSS payload", "tests/test_comments.py", add: ["    body = '<script>alert(1)</script>'"]),
        LabelledCase(name: "javascript: regex exec is not command execution", path: "src/parse.js", added: ["const m = /a(b)/.exec(str)"], never: [.injection], notRules: ["injection.command-exec", "injection.code-eval"]),
        LabelledCase(name: "dependency injection is not injection", path: "src/app/app.module.ts", added: ["// use dependency injection for the logger", "constructor(@Inject(LOGGER) private log: Logger) {}"], never: [.injection]),
        clean("go: plain struct", "internal/model/user.go", add: ["type User struct {", "    Name string", "}"]),
        flag(.injection, "php: table row built with sprintf", "bug_page.php", add: ["\t$rows .= sprintf( \"<tr class=\\\"%s\\\"><td>%s</td></tr>\\n\", $class, $summary );"], rules: ["injection.html-built-in-code"]),
        flag(.injection, "javascript: markup concatenated with a value", "static/list.js", add: ["  html += '<li class=\"item\">' + item.title + '</li>';"], rules: ["injection.html-built-in-code"]),
        flag(.injection, "python: markup with % formatting", "app/widgets.py", add: ["    return '<a href=\"%s\">%s</a>' % (url, label)"], rules: ["injection.html-built-in-code"]),
        clean("javascript: constant markup is not built from values", "static/list.js", add: ["  const empty = '<li class=\"empty\">No items</li>';"], notRules: ["injection.html-built-in-code"]),
        clean("html template: markup is not code", "templates/list.html", add: ["<td>{{ item.title }}</td>"], notRules: ["injection.html-built-in-code"]),
    ]

    static let network: [LabelledCase] = [
        flag(.network, "php: return URL must be a local path", "src/Actions/Login.php", add: ["        if (!preg_match('/^\\//', $queryString) or preg_match('/^\\/[^a-zA-Z0-9.-_~]/', $queryString)) {"], rules: ["network.local-path-check"]),
        flag(.network, "python: backslashes in a next URL escaped", "app/views/next.py", add: ["        url = url.replace(\"\\\\\", \"%5C\")"], rules: ["network.local-path-check"]),
        flag(.network, "javascript: protocol-relative next rejected", "src/routes/login.js", add: ["  if (next.startsWith('//')) { next = '/' }"], rules: ["network.local-path-check"]),
        clean("python: an absolute file path check is not a URL check", "app/files.py", add: ["    if path.startswith('/'):"], notRules: ["network.local-path-check"]),
        flag(.network, "python: cherrypy proxy tool no longer trusts X-Forwarded-Host", "app/server.py", add: ["@cherrypy.tools.proxy(local=None, remote='X-Real-IP')"], remove: ["@cherrypy.tools.proxy(remote='X-Real-IP')"], rules: ["network.forwarded-headers"]),
        flag(.network, "javascript: express trusts the proxy", "server/app.js", add: ["app.set('trust proxy', true)"], rules: ["network.forwarded-headers"]),
        clean("javascript: a request id header is not a forwarding header", "server/app.js", add: ["const id = req.headers['x-request-id']"], notRules: ["network.forwarded-headers"]),
        flag(.network, "python: requests.get of input", "app/fetch.py", add: ["resp = requests.get(request.args['url'])"]),
        flag(.network, "go: http.Get", "internal/client/fetch.go", add: ["resp, err := http.Get(url)"]),
        flag(.network, "javascript: fetch of a query param", "server/proxy.js", add: ["const r = await fetch(req.query.target)"]),
        flag(.network, "java: URL.openConnection", "src/main/java/com/acme/Fetch.java", add: ["HttpURLConnection c = (HttpURLConnection) new URL(target).openConnection();"]),
        flag(.network, "php: curl_init", "fetch.php", add: ["$ch = curl_init($_GET['url']);"]),
        flag(.network, "ruby: Net::HTTP", "lib/fetch.rb", add: ["body = Net::HTTP.get(URI(params[:url]))"]),
        flag(.network, "python: redirect to next", "app/login.py", add: ["return redirect(request.args.get('next'))"], rules: ["network.redirect"]),
        flag(.network, "express: redirect", "server/auth.js", add: ["res.redirect(req.query.returnTo)"]),
        flag(.network, "go: private IP guard", "internal/fetch/guard.go", add: ["if ip.IsPrivate() || ip.IsLoopback() {"]),
        flag(.network, "csharp: HttpClient", "Services/Webhooks.cs", add: ["var client = new HttpClient();"]),
        flag(.network, "swift: URLSession", "Sources/Net/Client.swift", add: ["let task = URLSession.shared.dataTask(with: url)"]),
        flag(.network, "kotlin: OkHttp", "src/main/kotlin/Http.kt", add: ["val client = OkHttpClient()"]),
        flag(.network, "test with a metadata address", "tests/test_fetch.py", add: ["    url = 'http://169.254.169.254/latest/meta-data/'"]),
        flag(.network, "html: the project's advisory page names a request to an arbitrary URL", "site/src/content/CVE-2020-0002.html", add: ["    <p>Unmarshalling can access data streams from an arbitrary URL referencing a resource in an intranet.</p>"], rules: ["network.intent"]),
        clean("typescript: pure formatting", "src/format.ts", add: ["export const pad = (s: string) => s.padStart(2, '0')"]),
    ]

    static let dependencies: [LabelledCase] = [
        flag(.dependencies, "package.json", "package.json", add: ["    \"left-pad\": \"^1.3.0\","]),
        flag(.dependencies, "package-lock.json", "package-lock.json", add: ["      \"version\": \"1.3.0\","]),
        flag(.dependencies, "go.mod", "go.mod", add: ["require golang.org/x/net v0.23.0"]),
        flag(.dependencies, "go.sum", "go.sum", add: ["golang.org/x/net v0.23.0 h1:abc="]),
        flag(.dependencies, "requirements.txt", "requirements.txt", add: ["requests==2.32.0"]),
        flag(.dependencies, "Gemfile.lock", "Gemfile.lock", add: ["    rails (7.1.3)"]),
        flag(.dependencies, "pom.xml", "pom.xml", add: ["      <version>2.17.0</version>"]),
        flag(.dependencies, "Cargo.toml", "Cargo.toml", add: ["serde = \"1\""]),
        flag(.dependencies, "composer.lock", "composer.lock", add: ["            \"version\": \"v6.4.0\","]),
        flag(.dependencies, "build.gradle", "app/build.gradle", add: ["    implementation 'com.squareup.okhttp3:okhttp:4.12.0'"]),
        flag(.dependencies, "yarn.lock", "yarn.lock", add: ["  version \"4.17.21\""]),
        flag(.dependencies, "unpinned action", ".github/workflows/ci.yml", add: ["      - uses: actions/checkout@v4"], rules: ["dependencies.unpinned-action"]),
        flag(.dependencies, "curl piped to sh in a Dockerfile", "Dockerfile", add: ["RUN curl -sSL https://get.example.com/install.sh | sh"]),
        flag(.dependencies, "extra index url", "scripts/setup.sh", add: ["pip install --extra-index-url https://pypi.internal.example/simple tool"]),
        flag(.dependencies, "vendored code", "vendor/github.com/acme/lib/lib.go", add: ["package lib"]),
        LabelledCase(name: "pinned action is not an unpinned finding", path: ".github/workflows/ci.yml", added: ["      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11"], notRules: ["dependencies.unpinned-action"]),
    ]

    /// Areas in languages the lists above cover less (C/C++, Rust, Swift, Kotlin, shell,
    /// TypeScript, Terraform, Kubernetes), and ordinary code in them that must stay quiet.
    static let moreLanguages: [LabelledCase] = [
        flag(.injection, "c: system() with a built command", "src/notify.c", add: ["  snprintf(cmd, sizeof cmd, \"mail -s '%s' %s\", subject, to);", "  system(cmd);"]),
        flag(.injection, "cpp: popen of a string", "src/tools/run.cpp", add: ["    FILE *pipe = popen(command.c_str(), \"r\");"]),
        flag(.injection, "swift: Process running a shell", "Sources/Tools/Shell.swift", add: ["    task.arguments = [\"-c\", command]", "    task.executableURL = URL(fileURLWithPath: \"/bin/sh\")"]),
        flag(.injection, "swift: WKWebView loads an HTML string", "Sources/UI/Preview.swift", add: ["        webView.loadHTMLString(\"<p>\" + comment.body + \"</p>\", baseURL: nil)"]),
        flag(.injection, "kotlin: ProcessBuilder with sh -c", "src/main/kotlin/com/acme/Exec.kt", add: ["    val p = ProcessBuilder(\"sh\", \"-c\", cmd).start()"]),
        flag(.injection, "shell: eval of a variable", "scripts/deploy.sh", add: ["eval \"$DEPLOY_HOOK $TARGET\""], rules: ["injection.shell-eval"]),
        flag(.injection, "shell: sh -c of a variable", "scripts/hooks.sh", add: ["  sh -c \"$hook\""], rules: ["injection.shell-eval"]),
        clean("shell: eval of a fixed tool setup is not input", "scripts/env.sh", add: ["eval \"$(ssh-agent -s)\""], never: [], notRules: ["injection.shell-eval"]),
        flag(.injection, "typescript: innerHTML of a message", "src/ui/toast.ts", add: ["  el.innerHTML = `<b>${message}</b>`"]),
        flag(.injection, "rust: Command with sh -c", "src/hooks.rs", add: ["    let out = Command::new(\"sh\").arg(\"-c\").arg(&hook).output()?;"]),
        flag(.sql, "c: sqlite3_exec of a formatted query", "src/db.c", add: ["  sprintf(sql, \"DELETE FROM users WHERE name = '%s'\", name);", "  sqlite3_exec(db, sql, NULL, NULL, &err);"]),
        flag(.sql, "rust: format! into a query", "src/store.rs", add: ["    let rows = sqlx::query(&format!(\"SELECT * FROM items WHERE owner = '{}'\", owner)).fetch_all(&pool).await?;"]),
        flag(.sql, "typescript: knex.raw with interpolation", "src/repo/users.ts", add: ["  return db.raw(`SELECT * FROM users WHERE email = '${email}'`)"]),
        clean("rust: a bound sqlx query is not concatenation", "src/store.rs", add: ["    let rows = sqlx::query(\"SELECT * FROM items WHERE owner = $1\").bind(owner).fetch_all(&pool).await?;"], never: [], notRules: ["sql.concatenated-query"]),
        flag(.crypto, "typescript: createCipheriv", "src/crypto/box.ts", add: ["  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv)"]),
        flag(.crypto, "typescript: md5 digest", "src/cache/key.ts", add: ["  return createHash('md5').update(password).digest('hex')"]),
        flag(.crypto, "go: InsecureSkipVerify", "internal/client/tls.go", add: ["\t\tTLSClientConfig: &tls.Config{InsecureSkipVerify: true},"]),
        flag(.network, "rust: reqwest get of a URL", "src/fetch.rs", add: ["    let body = reqwest::get(&url).await?.text().await?;"]),
        flag(.network, "c: libcurl URL set", "src/fetch.c", add: ["  curl_easy_setopt(curl, CURLOPT_URL, url);"]),
        flag(.network, "typescript: axios of a query param", "src/proxy.ts", add: ["  const r = await axios.get(req.query.url as string)"]),
        flag(.fileIO, "kotlin: File read of a joined path", "src/main/kotlin/com/acme/Files.kt", add: ["    val text = File(baseDir, name).readText()"]),
        flag(.fileIO, "cpp: fopen of a built path", "src/store.cpp", add: ["    FILE *f = fopen((root + \"/\" + name).c_str(), \"rb\");"]),
        flag(.auth, "rust: actix guard on admin", "src/routes.rs", add: ["    if !user.is_admin { return Err(ErrorForbidden(\"admin only\")); }"]),
        flag(.config, "terraform: security group open to the world", "infra/network.tf", add: ["    cidr_blocks = [\"0.0.0.0/0\"]"]),
        flag(.config, "kubernetes: privileged container", "deploy/k8s/deployment.yaml", add: ["          privileged: true"]),
        flag(.secrets, "terraform: hard-coded AWS key", "infra/provider.tf", add: ["  access_key = \"AKIAIOSFODNN7EXAMPLF\""]),
        clean("go: strings.Builder formatting is not SQL", "internal/report/text.go", add: ["\tb.WriteString(fmt.Sprintf(\"%d items\", n))"]),
        clean("c: printf of a count", "src/stats.c", add: ["  printf(\"%d files\\n\", count);"]),
        clean("rust: iterator chain", "src/util.rs", add: ["    let total: u64 = sizes.iter().map(|s| s.len).sum();"]),
        clean("kotlin: list mapping", "src/main/kotlin/com/acme/Lists.kt", add: ["    val names = users.map { it.displayName }.sorted()"]),
        clean("shell: echo of a path", "scripts/build.sh", add: ["echo \"building in $PWD\""]),
        clean("csharp: LINQ projection", "Services/Report.cs", add: ["var names = users.Select(u => u.Name).ToList();"]),
        clean("ruby: each with index", "lib/report.rb", add: ["  rows.each_with_index { |row, i| puts \"#{i}: #{row.title}\" }"]),
        clean("terraform: tags are infrastructure (config by path), nothing else", "infra/tags.tf", add: ["    Team = \"platform\""], never: Set(Area.allCases).subtracting([.config])),
    ]

    /// Access-control and cryptography changes as they look in the languages fixes come in.
    static let authAndCryptoIdioms: [LabelledCase] = [
        flag(.auth, "go: casbin enforcer check", "server/application/application.go", add: ["\tif !s.enf.Enforce(ctx.Value(\"claims\"), rbacpolicy.ResourceApplications, rbacpolicy.ActionGet, app.RBACName()) {"]),
        flag(.auth, "go: JWT expiry verified", "util/session/sessionmanager.go", add: ["\tif !claims.VerifyExpiresAt(time.Now().Unix(), true) {"]),
        flag(.auth, "go: role compared to admin", "internal/api/settings.go", add: ["\tif user.Role != model.RoleAdmin {"]),
        clean("typescript: an ARIA role is not an access role", "src/ui/menu.ts", add: ["  if (el.getAttribute('role') === 'button') {"], never: [.auth], notRules: ["auth.permission-check"]),
        flag(.auth, "php: WordPress capability check", "wp-content/plugins/acme/admin.php", add: ["if ( ! current_user_can( 'manage_options' ) ) {"]),
        flag(.auth, "php: session id regenerated at login", "include/class.auth.php", add: ["        session_regenerate_id(true);"]),
        flag(.auth, "php: admin check", "admin/users.php", add: ["if (!$user->isAdmin()) {"]),
        flag(.auth, "python: DRF permission classes", "api/views.py", add: ["    permission_classes = [IsAuthenticated, IsOwner]"]),
        flag(.auth, "python: superuser check", "app/admin.py", add: ["    if not request.user.is_superuser:"]),
        flag(.auth, "python: object permission checked", "api/views.py", add: ["        self.check_object_permissions(request, obj)"]),
        flag(.auth, "java: hasAuthority in a security chain", "src/main/java/com/acme/SecurityConfig.java", add: ["                .requestMatchers(\"/admin/**\").hasAuthority(\"ADMIN\")"]),
        flag(.auth, "java: RolesAllowed", "src/main/java/com/acme/Orders.java", add: ["    @RolesAllowed(\"manager\")"]),
        flag(.auth, "java: isUserInRole", "src/main/java/com/acme/web/Admin.java", add: ["        if (!request.isUserInRole(\"admin\")) {"]),
        flag(.auth, "javascript: isAuthenticated guard", "server/routes/admin.js", add: ["  if (!req.isAuthenticated()) return res.redirect('/login')"]),
        flag(.auth, "ruby: cancan authorize!", "app/controllers/projects_controller.rb", add: ["    authorize! :update, @project"]),
        flag(.auth, "ruby: pundit authorize", "app/controllers/posts_controller.rb", add: ["    authorize @post"]),
        flag(.auth, "ruby: admin? check", "app/controllers/admin_controller.rb", add: ["    head :forbidden unless current_user.admin?"]),
        flag(.auth, "c: privileges dropped", "src/daemon.c", add: ["  if (setuid(pw->pw_uid) != 0) {"], rules: ["auth.process-privileges"]),
        clean("c: a uid printed is not a privilege change", "src/whoami.c", add: ["  printf(\"%d\\n\", (int)getuid());"], never: [.auth], notRules: ["auth.process-privileges"]),
        flag(.auth, "c: root check", "src/kadmin/server/ovsec_kadmd.c", add: ["    if (getuid() != 0) {"]),
        flag(.crypto, "go: math/rand for a token", "internal/invite/token.go", add: ["\t\ttoken[i] = letters[rand.Intn(len(letters))]"], rules: ["crypto.random-for-secret"]),
        clean("go: math/rand picking a retry jitter is not a secret", "internal/retry/backoff.go", add: ["\tdelay += time.Duration(rand.Intn(100)) * time.Millisecond"], never: [.crypto], notRules: ["crypto.random-for-secret"]),
        flag(.crypto, "go: curve point validated", "jwk/ecdsa.go", add: ["\tif !crv.IsOnCurve(x, y) {"]),
        flag(.crypto, "go: JWS algorithm none rejected", "jws/jws.go", add: ["\tif alg == jwa.NoSignature {"]),
        flag(.crypto, "python: pycrypto cipher", "lib/Crypto/PublicKey/_slowmath.py", add: ["from Crypto.Cipher import AES"]),
        flag(.crypto, "python: random token from random module", "app/reset.py", add: ["    token = ''.join(random.choice(string.ascii_letters) for _ in range(32))"], rules: ["crypto.random-for-secret"]),
        clean("python: random.choice picking a colour is not a secret", "app/theme.py", add: ["    colour = random.choice(PALETTE)"], never: [.crypto], notRules: ["crypto.random-for-secret"]),
        flag(.crypto, "c: constant-time memcmp for an HMAC", "src/openvpn/crypto.c", add: ["    if (memcmp_constant_time(local_hmac, BPTR(buf), hmac_len))"]),
        flag(.crypto, "c: OpenSSL EVP digest", "src/sign.c", add: ["  EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey);"]),
        flag(.crypto, "javascript: Math.random for a session id", "server/store.js", add: ["  const sessionId = Math.random().toString(36).slice(2)"], rules: ["crypto.random-for-secret"]),
        flag(.crypto, "javascript: randomBytes", "server/tokens.js", add: ["  const token = crypto.randomBytes(32).toString('hex')"]),
        flag(.crypto, "php: mt_rand for a reset token", "lib/Reset.php", add: ["    $token = md5(mt_rand());"]),
        flag(.crypto, "php: random_bytes", "lib/Token.php", add: ["    $token = bin2hex(random_bytes(32));"]),
        flag(.crypto, "java: SecureRandom", "src/main/java/com/acme/Tokens.java", add: ["    private static final SecureRandom RANDOM = new SecureRandom();"]),
        flag(.crypto, "java: AES in ECB mode", "src/main/java/com/acme/Box.java", add: ["        Cipher c = Cipher.getInstance(\"AES/ECB/PKCS5Padding\");"]),
        flag(.crypto, "ruby: OpenSSL cipher", "lib/box.rb", add: ["    cipher = OpenSSL::Cipher.new('aes-256-gcm')"]),
        flag(.crypto, "java: Bouncy Castle EC point validated", "core/src/main/java/org/bouncycastle/crypto/params/ECPublicKeyParameters.java", add: ["        if (!q.isValid()) { throw new IllegalArgumentException(\"point not on curve\"); }"]),
    ]

    static let docsAndOtherNegatives: [LabelledCase] = [
        clean("README mentions security words", "README.md", add: ["Set the password and token; we fixed an SQL injection and an XSS."]),
        clean("changelog", "CHANGELOG.md", add: ["- Fix XSS in the comment renderer (CVE-2024-0001)"]),
        clean("rst docs", "docs/guide.rst", add: ["Use ``verify=False`` only for testing."]),
        clean("french translation", "locales/fr.json", add: ["  \"password\": \"Mot de passe\","]),
        clean("i18n yaml", "config/i18n/en.yaml", add: ["login: \"Log in\""]),
        clean("php translation file", "lang/en/auth.php", add: ["    'password' => 'The provided password is incorrect.',"]),
        clean("stylesheet", "assets/site.css", add: [".login { color: red; }"]),
        clean("generated protobuf", "api/v1/user.pb.go", add: ["\tPassword string `protobuf:\"bytes,1,opt,name=password\"`"]),
        clean("vendored eval is only a dependency change", "node_modules/lodash/lodash.js", add: ["eval(code)"], never: [.injection, .auth, .crypto, .sql, .fileIO, .network, .secrets, .config]),
        clean("comment only", "src/app.ts", add: ["// TODO: improve performance of the list view"]),
        clean("test-only assertion", "tests/test_math.py", add: ["    assert add(1, 2) == 3"]),
        clean("swift interpolation without SQL", "Sources/App/Greeting.swift", add: ["let greeting = \"Hello, \\(name)\""]),
        clean("svg asset", "assets/logo.svg", add: ["<svg onload=\"x\"></svg>"]),
    ]

    static let all: [LabelledCase] = auth + crypto + fileIO + sql + config + secrets + injection + network + dependencies + moreLanguages + authAndCryptoIdioms + docsAndOtherNegatives
}
