package dev.toz

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.fail
import java.io.File
import java.util.UUID
import java.util.concurrent.TimeUnit

/**
 * The live test environment exported by scripts/with-server.sh. A missing variable fails the
 * test (never skips it): run the suite with bindings/kotlin/test.sh.
 */
object TestEnv {
    private val names = listOf(
        "TOZ_TEST_API_URL",
        "TOZ_TEST_REGISTRATION_TOKEN",
        "TOZ_TEST_BACKUP_CREDENTIALS",
        "TOZ_TEST_ACCOUNT_EMAIL",
        "TOZ_TEST_DATABASE",
        "TOZ_SERVER_BIN",
        "TOZ_LIBRARY",
        "TOZ_TEST_MAIL_DIR",
    )

    fun variable(name: String): String = System.getenv(name)?.takeIf { it.isNotEmpty() }
        ?: fail(
            "$name is not set: run these tests through scripts/with-server.sh " +
                "(bindings/kotlin/test.sh does: scripts/with-server.sh -- mvn test)",
        )

    /** Fails unless every variable of scripts/with-server.sh is set. */
    fun check() {
        names.forEach(::variable)
    }

    val apiUrl: String get() = variable("TOZ_TEST_API_URL")
    val token: String get() = variable("TOZ_TEST_REGISTRATION_TOKEN")
    val backupCredentialsPath: String get() = variable("TOZ_TEST_BACKUP_CREDENTIALS")

    /** A fresh registration token allowing [uses] registrations, made with `toz-server token create`. */
    fun newToken(uses: Int): String {
        val process = ProcessBuilder(
            variable("TOZ_SERVER_BIN"), "token", "create",
            "--database", variable("TOZ_TEST_DATABASE"),
            "--email", variable("TOZ_TEST_ACCOUNT_EMAIL"),
            "--uses", uses.toString(),
        ).redirectErrorStream(false).start()
        val out = process.inputStream.bufferedReader().readText().trim()
        val err = process.errorStream.bufferedReader().readText()
        if (!process.waitFor(60, TimeUnit.SECONDS)) fail<Unit>("toz-server token create hung")
        assertEquals(0, process.exitValue(), "toz-server token create failed: $err")
        return out.lines().last().trim()
    }

    /** Registers a new client with the unlimited test token. */
    fun register(name: String, backup: Boolean = false): Credentials =
        Toz.register(apiUrl, token, name, backup)

    /** Where toz-server's `--mail-command` leaves every message it sends, one file each. */
    val mailDir: File get() = File(variable("TOZ_TEST_MAIL_DIR"))

    /** The names of the messages in [mailDir] now: pass them to [mailedCode] to skip older ones. */
    fun mailNames(): Set<String> = mailDir.list()?.toSet() ?: emptySet()

    /**
     * The one-time code of the newest message about [noteId] (header `X-Toz-Note-Id: <noteId>`,
     * body line `One-time code: <code>`) that is not among [before]. Waits up to 10 s for it,
     * because the server may hand the message over after it answered.
     */
    fun mailedCode(noteId: String, before: Set<String> = emptySet()): String {
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
        while (true) {
            val message = mailDir.listFiles().orEmpty()
                .filter { it.isFile && it.name !in before }
                .map { it to it.readText() }
                .filter { (_, text) -> text.lines().any { it.trim() == "X-Toz-Note-Id: $noteId" } }
                .maxByOrNull { (file, _) -> file.lastModified() }
            val code = message?.second?.lines()?.firstNotNullOfOrNull { line ->
                line.trim().takeIf { it.startsWith(CODE_LINE) }?.removePrefix(CODE_LINE)?.trim()
            }
            if (code != null) return code
            if (System.nanoTime() > deadline) fail<Unit>("no message with a one-time code for note $noteId in $mailDir")
            Thread.sleep(100)
        }
    }

    private const val CODE_LINE = "One-time code: "

    /** A unique name for record types, profiles and clients. */
    fun unique(prefix: String): String = "$prefix-${UUID.randomUUID()}"
}

/** A registered client with its credentials and id; closes both. */
class TestClient(name: String, backup: Boolean = false) : AutoCloseable {
    val credentials: Credentials = TestEnv.register(name, backup)
    val id: String = credentials.publicInfo().clientId
    val client: Client = Client(credentials)

    override fun close() {
        client.close()
        credentials.close()
    }
}
