package dev.toz

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.net.InetAddress
import java.net.ServerSocket
import java.net.Socket
import java.nio.file.Path
import java.security.KeyStore
import javax.net.ssl.KeyManagerFactory
import javax.net.ssl.SSLContext
import kotlin.concurrent.thread

/** The client against the live toz-server of scripts/with-server.sh. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientTest {
    private lateinit var alice: TestClient
    private lateinit var bob: TestClient

    @BeforeAll
    fun setUp() {
        TestEnv.check()
        alice = TestClient("alice", backup = true)
        bob = TestClient("bob")
    }

    @AfterAll
    fun tearDown() {
        alice.close()
        bob.close()
    }

    private fun assertRefused(e: TozException) {
        assertTrue(e is ForbiddenException || e is NotFoundException, "expected forbidden or not found, got $e")
    }

    @Test
    fun registrationGivesRegisteredCredentials() {
        val info = alice.credentials.publicInfo()
        assertEquals(36, info.clientId.length)
        assertTrue(info.apiKeyId.isNotEmpty())
        assertEquals(TestEnv.apiUrl, info.apiUrl)
        assertFalse(info.toString().contains(Json.parseToJsonElement(alice.credentials.toJson()).toString()))
    }

    @Test
    fun recordsCrudWithVersions() {
        val type = TestEnv.unique("contact")
        val c = alice.client
        val written = c.writeRecord(type, mapOf("name" to "Alice", "ssn" to "123-45-6789"), mapOf("team" to "blue"))
        val id = written.meta.recordId!!
        assertEquals(alice.id, written.meta.writerId)
        assertEquals(alice.id, written.meta.userId)
        assertEquals(type, written.meta.type)
        assertEquals(mapOf("team" to "blue"), written.meta.plain)
        assertNotNull(written.meta.version)
        assertNotNull(written.meta.created)
        assertEquals(mapOf("name" to "Alice", "ssn" to "123-45-6789"), written.data)

        val read = c.readRecord(id)
        assertEquals(written.data, read.data)
        assertEquals(written.meta.version, read.meta.version)
        assertEquals(mapOf("name" to "Alice"), c.readRecord(id, listOf("name")).data)

        val updated = c.updateRecord(read.copy(data = mapOf("name" to "Alice B."), meta = read.meta.copy(plain = mapOf("team" to "red"))))
        assertNotEquals(read.meta.version, updated.meta.version)
        assertEquals(mapOf("name" to "Alice B."), c.readRecord(id).data)
        assertEquals(mapOf("team" to "red"), c.readRecord(id).meta.plain)

        val stale = assertThrows<ConflictException> { c.updateRecord(read) }
        assertEquals(ErrorKind.CONFLICT, stale.kind)
        assertEquals(409, stale.httpStatus)
        assertThrows<ConflictException> { c.deleteRecord(id, read.meta.version) }

        c.deleteRecord(id, updated.meta.version)
        val gone = assertThrows<NotFoundException> { c.readRecord(id) }
        assertEquals(404, gone.httpStatus)
        assertThrows<NotFoundException> { c.deleteRecord(id) }

        // Unconditional delete.
        val other = c.writeRecord(type, mapOf("a" to "b"))
        assertEquals(emptyMap<String, String>(), other.meta.plain)
        c.deleteRecord(other.meta.recordId!!)
        assertThrows<NotFoundException> { c.readRecord(other.meta.recordId) }
    }

    @Test
    fun recordFailurePaths() {
        val c = alice.client
        assertThrows<NotFoundException> { c.readRecord("3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11") }
        assertThrows<InvalidArgumentException> { c.writeRecord("", mapOf("a" to "b")) }
        assertThrows<InvalidArgumentException> { c.updateRecord(Record(data = mapOf("a" to "b"))) }
        val rec = c.writeRecord(TestEnv.unique("t"), mapOf("a" to "b"))
        assertThrows<InvalidArgumentException> { c.updateRecord(rec.copy(meta = rec.meta.copy(version = null))) }
    }

    @Test
    fun queryAndSearch() {
        val type = TestEnv.unique("query")
        val c = alice.client
        val ids = (0 until 3).map { i ->
            c.writeRecord(type, mapOf("n" to "$i"), mapOf("parity" to if (i % 2 == 0) "even" else "odd")).meta.recordId!!
        }
        val all = c.query(Query(contentTypes = listOf(type), includeData = true))
        assertEquals(ids.toSet(), all.results.map { it.meta.recordId }.toSet())
        assertEquals(setOf("0", "1", "2"), all.results.map { it.data["n"] }.toSet())
        assertTrue(all.lastIndex > 0)

        val noData = c.query(Query(contentTypes = listOf(type)))
        assertEquals(3, noData.results.size)
        assertTrue(noData.results.all { it.data.isEmpty() })

        val even = c.query(Query(contentTypes = listOf(type), plain = buildJsonObject { put("parity", "even") }, includeData = true))
        assertEquals(setOf("0", "2"), even.results.map { it.data["n"] }.toSet())

        val first = c.query(Query(contentTypes = listOf(type), count = 2))
        assertEquals(2, first.results.size)
        val rest = c.query(Query(contentTypes = listOf(type), count = 2, afterIndex = first.lastIndex))
        assertEquals(1, rest.results.size)
        assertEquals(ids.toSet(), (first.results + rest.results).map { it.meta.recordId }.toSet())

        assertTrue(c.query(Query(contentTypes = listOf(TestEnv.unique("none")))).results.isEmpty())

        val found = c.search(Search(includeData = true, match = listOf(SearchParams(terms = SearchTerms(contentTypes = listOf(type))))))
        assertEquals(3, found.totalResults)
        assertEquals(setOf("0", "1", "2"), found.results.map { it.data["n"] }.toSet())
        val odd = c.search(
            Search(
                includeData = true,
                match = listOf(SearchParams(condition = "AND", terms = SearchTerms(contentTypes = listOf(type), tags = mapOf("parity" to "odd")))),
            ),
        )
        assertEquals(listOf("1"), odd.results.map { it.data["n"] })
        val excluded = c.search(
            Search(
                match = listOf(SearchParams(terms = SearchTerms(contentTypes = listOf(type)))),
                exclude = listOf(SearchParams(terms = SearchTerms(tags = mapOf("parity" to "odd")))),
                order = SearchOrder("DESCENDING"),
            ),
        )
        assertEquals(2, excluded.results.size)
        val paged = c.search(Search(limit = 2, match = listOf(SearchParams(terms = SearchTerms(contentTypes = listOf(type))))))
        assertEquals(2, paged.results.size)
        assertTrue(paged.lastIndex > 0)
        val next = c.search(Search(limit = 2, nextToken = paged.lastIndex, match = listOf(SearchParams(terms = SearchTerms(contentTypes = listOf(type))))))
        assertEquals(1, next.results.size)
        val badStrategy = assertThrows<HttpException> {
            c.search(Search(match = listOf(SearchParams(strategy = "NOT-A-STRATEGY", terms = SearchTerms(contentTypes = listOf(type))))))
        }
        assertEquals(400, badStrategy.httpStatus)
    }

    @Test
    fun shareAndRevoke() {
        val type = TestEnv.unique("medical")
        val record = alice.client.writeRecord(type, mapOf("note" to "allergic to penicillin"))
        val id = record.meta.recordId!!
        assertRefused(assertThrows<TozException> { bob.client.readRecord(id) })

        alice.client.share(type, bob.id)
        alice.client.share(type, bob.id) // again: harmless
        assertEquals(record.data, bob.client.readRecord(id).data)
        assertTrue(alice.client.outgoingShares().any { it == OutgoingShare(bob.id, "bob", type) })
        assertTrue(bob.client.incomingShares().any { it.writerId == alice.id && it.recordType == type && it.writerName == "alice" })
        val shared = bob.client.query(Query(contentTypes = listOf(type), includeAllWriters = true, includeData = true))
        assertEquals(listOf(record.data), shared.results.map { it.data })

        alice.client.revoke(type, bob.id)
        assertRefused(assertThrows<TozException> { bob.client.readRecord(id) })
        assertFalse(alice.client.outgoingShares().any { it.recordType == type })
        assertFalse(bob.client.incomingShares().any { it.recordType == type })
    }

    @Test
    fun authorizersShareOnBehalfOfTheWriter() {
        TestClient("authorizer").use { authorizer ->
            TestClient("reader").use { reader ->
                val type = TestEnv.unique("invoice")
                val id = alice.client.writeRecord(type, mapOf("amount" to "42")).meta.recordId!!

                val denied = assertThrows<ForbiddenException> { authorizer.client.shareOnBehalfOf(alice.id, type, reader.id) }
                assertEquals(ErrorKind.FORBIDDEN, denied.kind)

                alice.client.addAuthorizer(type, authorizer.id)
                val appointed = AuthorizerPolicy(authorizer.id, alice.id, alice.id, type, alice.id)
                assertTrue(alice.client.authorizers().contains(appointed), alice.client.authorizers().toString())
                assertTrue(authorizer.client.grantedAuthorizations().contains(appointed))

                authorizer.client.shareOnBehalfOf(alice.id, type, reader.id)
                assertEquals(mapOf("amount" to "42"), reader.client.readRecord(id).data)
                authorizer.client.revokeOnBehalfOf(alice.id, type, reader.id)
                assertRefused(assertThrows<TozException> { reader.client.readRecord(id) })

                alice.client.removeAuthorizer(type, authorizer.id)
                assertFalse(alice.client.authorizers().any { it.recordType == type })
                assertFalse(authorizer.client.grantedAuthorizations().any { it.recordType == type })
                assertThrows<ForbiddenException> { authorizer.client.shareOnBehalfOf(alice.id, type, reader.id) }
            }
        }
    }

    @Test
    fun clientInfo() {
        val info = alice.client.clientInfo(bob.id)
        val bobInfo = bob.credentials.publicInfo()
        assertEquals(ClientInfo(bob.id, PublicKey(bobInfo.publicKey), SigningKey(bobInfo.publicSigningKey), true), info)
        assertThrows<NotFoundException> { alice.client.clientInfo("doesnt exist") }
        assertThrows<NotFoundException> { alice.client.clientInfo("3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11") }
        assertThrows<TozException> { alice.client.share("t", "3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11") }
    }

    @Test
    fun backupAndRecovery() {
        val type = TestEnv.unique("diary")
        val record = alice.client.writeRecord(type, mapOf("entry" to "dear diary"))
        Credentials.loadFile(TestEnv.backupCredentialsPath).use { backupCredentials ->
            Client(backupCredentials).use { queen ->
                val listed = queen.listBackups()
                val entry = listed.single { it.clientId == alice.id }
                assertTrue(entry.recordId.isNotEmpty() && entry.created.isNotEmpty())
                assertFalse(listed.any { it.clientId == bob.id }, "bob registered without backup")

                queen.recoverCredentials(alice.id).use { recovered ->
                    assertEquals(
                        Json.parseToJsonElement(alice.credentials.toJson()),
                        Json.parseToJsonElement(recovered.toJson()),
                    )
                    Client(recovered).use { asAlice -> assertEquals(record.data, asAlice.readRecord(record.meta.recordId!!).data) }
                }
                assertThrows<NotFoundException> { queen.recoverCredentials(bob.id) }
            }
        }
        // A client that is not the backup client has no backups shared with it.
        assertTrue(bob.client.listBackups().isEmpty())
    }

    @Test
    fun registrationFailures() {
        val wrong = assertThrows<ForbiddenException> { Toz.register(TestEnv.apiUrl, "not-a-token", "x", false) }
        assertEquals(403, wrong.httpStatus)

        val oneTime = TestEnv.newToken(uses = 1)
        Toz.register(TestEnv.apiUrl, oneTime, "first", backup = false).use { assertEquals(36, it.publicInfo().clientId.length) }
        val spent = assertThrows<TozException> { Toz.register(TestEnv.apiUrl, oneTime, "second", backup = false) }
        assertTrue(spent.httpStatus in 400..499, spent.toString())
        assertTrue(spent is ForbiddenException || spent is UnauthorizedException, spent.toString())

        assertThrows<InvalidArgumentException> { Toz.register(TestEnv.apiUrl, "", "x", false) }
        assertThrows<InsecureTransportException> { Toz.register("http://api.example.com", TestEnv.token, "x", false) }
        assertThrows<InvalidArgumentException> { Toz.register("ftp://127.0.0.1", TestEnv.token, "x", false) }
        assertThrows<NetworkException> {
            Toz.register("http://127.0.0.1:1", TestEnv.token, "x", false, Options(retries = 0, timeoutMs = 5000))
        }
    }

    @Test
    fun clientConstructionAndOptions() {
        // Alice's credentials pointed at other URLs (the transport is checked when the client is made).
        fun aliceAt(url: String): Credentials {
            val obj = Json.parseToJsonElement(alice.credentials.toJson()).jsonObject
            return Credentials.fromJson(JsonObject(obj + ("api_url" to JsonPrimitive(url))).toString())
        }
        aliceAt("ftp://127.0.0.1").use { badUrl -> assertThrows<InvalidArgumentException> { Client(badUrl) } }
        aliceAt("http://api.example.com").use { insecure ->
            assertThrows<InsecureTransportException> { Client(insecure) }
            Client(insecure, Options(allowInsecureHttp = true)).use { assertEquals(alice.id, it.publicInfo().clientId) }
        }
        Credentials.fromJson(alice.credentials.toJson()).use { copy ->
            val options = Options(timeoutMs = 10_000, retries = 1, userAgent = "toz-kotlin-test/1.0", allowInsecureHttp = false)
            Client(copy, options).use { c ->
                copy.close() // the client keeps its own copy
                assertEquals(alice.id, c.writeRecord(TestEnv.unique("opt"), mapOf("a" to "b")).meta.writerId)
            }
        }
    }

    @Test
    fun aServerThatNeverAnswersTimesOut() {
        ServerSocket(0, 50, InetAddress.getLoopbackAddress()).use { server ->
            val accepted = mutableListOf<Socket>()
            val acceptor = thread(isDaemon = true) {
                try {
                    while (true) accepted += server.accept()
                } catch (_: Exception) {
                }
            }
            val url = "http://127.0.0.1:${server.localPort}"
            val e = assertThrows<TimeoutException> {
                Toz.register(url, TestEnv.token, "x", false, Options(timeoutMs = 500, retries = 0))
            }
            assertEquals(ErrorKind.TIMEOUT, e.kind)
            server.close()
            acceptor.join(5000)
            accepted.forEach { it.close() }
        }
    }

    @Test
    fun tlsCertificatesAreVerifiedAndCaBundleIsHonoured(@TempDir dir: Path) {
        // A self-signed certificate for 127.0.0.1, made with the JDK's keytool.
        val keytool = File(System.getProperty("java.home"), "bin/keytool").path
        val store = dir.resolve("server.p12").toString()
        val pem = dir.resolve("ca.pem").toString()
        fun run(vararg args: String) {
            val p = ProcessBuilder(keytool, *args).redirectErrorStream(true).start()
            val out = p.inputStream.bufferedReader().readText()
            assertEquals(0, p.waitFor(), out)
        }
        run(
            "-genkeypair", "-alias", "toz", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
            "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-keystore", store, "-storetype", "PKCS12",
            "-storepass", "changeit",
        )
        run("-exportcert", "-rfc", "-alias", "toz", "-keystore", store, "-storepass", "changeit", "-file", pem)

        val keyStore = KeyStore.getInstance("PKCS12").apply { File(store).inputStream().use { load(it, "changeit".toCharArray()) } }
        val kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm()).apply { init(keyStore, "changeit".toCharArray()) }
        val ssl = SSLContext.getInstance("TLS").apply { init(kmf.keyManagers, null, null) }
        val server = ssl.serverSocketFactory.createServerSocket(0, 50, InetAddress.getLoopbackAddress())
        server.use {
            val responder = thread(isDaemon = true) {
                try {
                    while (true) {
                        server.accept().use { s ->
                            try {
                                val input = s.getInputStream().bufferedReader()
                                while (input.readLine()?.isNotEmpty() == true) { /* request head */ }
                                s.getOutputStream().write(
                                    "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 16\r\nConnection: close\r\n\r\n{\"error\":\"nope\"}".toByteArray(),
                                )
                                s.getOutputStream().flush()
                            } catch (_: Exception) {
                                // the untrusted client aborts the handshake
                            }
                        }
                    }
                } catch (_: Exception) {
                }
            }
            val url = "https://127.0.0.1:${server.localPort}"
            // The certificate is not trusted: the request must never reach the server.
            val untrusted = assertThrows<TozException> {
                Toz.register(url, TestEnv.token, "x", false, Options(timeoutMs = 5000, retries = 0))
            }
            assertTrue(untrusted is TlsException, untrusted.toString())
            // Trusting the certificate through ca_bundle, the request reaches the fake server.
            val answered = assertThrows<UnauthorizedException> {
                Toz.register(url, TestEnv.token, "x", false, Options(timeoutMs = 5000, retries = 0, caBundle = pem))
            }
            assertEquals(401, answered.httpStatus)
            server.close()
            responder.join(5000)
        }
    }

    @Test
    fun useAfterCloseOfAClient() {
        val c = Client(alice.credentials)
        c.writeRecord(TestEnv.unique("closing"), mapOf("a" to "b"))
        c.close()
        c.close()
        assertTrue(c.isClosed)
        val calls = listOf<() -> Unit>(
            { c.writeRecord("t", mapOf("a" to "b")) }, { c.readRecord("x") }, { c.updateRecord(Record()) },
            { c.deleteRecord("x") }, { c.query(Query()) }, { c.search(Search()) }, { c.share("t", "r") },
            { c.revoke("t", "r") }, { c.addAuthorizer("t", "a") }, { c.removeAuthorizer("t", "a") },
            { c.shareOnBehalfOf("w", "t", "r") }, { c.revokeOnBehalfOf("w", "t", "r") }, { c.outgoingShares() },
            { c.incomingShares() }, { c.authorizers() }, { c.grantedAuthorizations() }, { c.clientInfo("x") },
            { c.listBackups() }, { c.recoverCredentials("x") },
        )
        for (call in calls) {
            val e = assertThrows<ClosedException>(call)
            assertEquals(ErrorKind.CLOSED, e.kind)
            assertTrue(e.message!!.contains("Client"))
        }
        // The credentials it was made from are untouched.
        assertEquals(alice.id, alice.credentials.publicInfo().clientId)
    }

    @Test
    fun unusualFieldNamesAndValuesRoundTrip() {
        val data = mapOf("with space" to "a b", "quote\"" to "\"", "unicode ключ" to "значение 🙂", "empty" to "")
        val rec = alice.client.writeRecord(TestEnv.unique("odd"), data, mapOf("k" to "v \" \\"))
        val back = alice.client.readRecord(rec.meta.recordId!!)
        assertEquals(data, back.data)
        assertEquals(mapOf("k" to "v \" \\"), back.meta.plain)
    }
}
