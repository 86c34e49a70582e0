package dev.toz

import com.sun.jna.ptr.PointerByReference
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.jsonObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.attribute.PosixFilePermission
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit

/** Everything that needs no server: version, error mapping, credentials, keys, offline records, handles. */
class OfflineTest {
    companion object {
        @BeforeAll
        @JvmStatic
        fun env() = TestEnv.check()

        /** Cheap Argon2id limits so sealing is fast in tests (the minimum the library accepts). */
        val FAST_SEAL = SealOptions(opslimit = 1, memlimit = 8L * 1024 * 1024)
    }

    private fun header(): String {
        val file = File(System.getProperty("user.dir"), "../../include/toz.h")
        assertTrue(file.isFile, "include/toz.h not found from ${file.absolutePath}")
        return file.readText()
    }

    @Test
    fun versionsMatchTheHeader() {
        val h = header()
        val version = Regex("#define TOZ_VERSION_STRING \"([^\"]+)\"").find(h)!!.groupValues[1]
        val abi = Regex("#define TOZ_ABI_VERSION (\\d+)").find(h)!!.groupValues[1].toInt()
        assertEquals(version, Toz.version())
        assertEquals(abi, Toz.abiVersion())
        assertEquals(abi, Toz.BINDING_ABI)
    }

    @Test
    fun everyErrorKindOfTheHeaderIsMappedWithItsNumber() {
        val kinds = Regex("TOZ_ERROR_KIND_([A-Z0-9_]+) = (\\d+)").findAll(header())
            .associate { it.groupValues[1] to it.groupValues[2].toInt() }
        assertTrue(kinds.size >= 23, "parsed ${kinds.size} kinds")
        for ((name, code) in kinds) {
            val kind = ErrorKind.valueOf(name)
            assertEquals(code, kind.code, name)
            assertEquals(kind, ErrorKind.fromCode(code))
            val e = tozException(code, 0, "m")
            assertEquals(kind, e.kind)
            assertEquals(code, e.code)
            assertEquals("m", e.message)
        }
        // Every binding entry but UNKNOWN is a header kind.
        assertEquals(kinds.keys + "UNKNOWN", ErrorKind.entries.map { it.name }.toSet())
        val unknown = tozException(254, 418, "future")
        assertEquals(ErrorKind.UNKNOWN, unknown.kind)
        assertEquals(254, unknown.code)
        assertEquals(418, unknown.httpStatus)
        assertEquals(ErrorKind.UNKNOWN, ErrorKind.fromCode(-1))
    }

    @Test
    fun exceptionClassesPerFamily() {
        assertTrue(tozException(ErrorKind.NOT_FOUND.code, 404, "") is NotFoundException)
        assertTrue(tozException(ErrorKind.CONFLICT.code, 409, "") is ConflictException)
        assertTrue(tozException(ErrorKind.UNAUTHORIZED.code, 401, "") is UnauthorizedException)
        assertTrue(tozException(ErrorKind.FORBIDDEN.code, 403, "") is ForbiddenException)
        assertTrue(tozException(ErrorKind.NETWORK.code, 0, "") is NetworkException)
        assertTrue(tozException(ErrorKind.TIMEOUT.code, 0, "") is TimeoutException)
        assertTrue(tozException(ErrorKind.TLS.code, 0, "") is TlsException)
        assertTrue(tozException(ErrorKind.CRYPTO.code, 0, "") is CryptoException)
        assertTrue(tozException(ErrorKind.SIGNATURE.code, 0, "") is SignatureException)
        assertTrue(tozException(ErrorKind.WRONG_PASSPHRASE.code, 0, "") is WrongPassphraseException)
        assertTrue(tozException(ErrorKind.ALREADY_EXISTS.code, 0, "") is AlreadyExistsException)
        assertTrue(tozException(ErrorKind.JSON.code, 0, "") is JsonException)
        assertTrue(tozException(ErrorKind.CLOSED.code, 0, "") is ClosedException)
        assertTrue(tozException(ErrorKind.CANCELLED.code, 0, "") is CancelledException)
        assertTrue(tozException(ErrorKind.PANIC.code, 0, "") is PanicException)
        assertTrue(tozException(ErrorKind.IO.code, 0, "") is IoException)
        assertTrue(tozException(ErrorKind.HTTP.code, 418, "") is HttpException)
        assertTrue(tozException(ErrorKind.RATE_LIMITED.code, 429, "") is RateLimitedException)
        assertTrue(tozException(ErrorKind.SERVER.code, 500, "") is ServerException)
        assertTrue(tozException(ErrorKind.INSECURE_TRANSPORT.code, 0, "") is InsecureTransportException)
        for (k in listOf(ErrorKind.INVALID_ARGUMENT, ErrorKind.NULL_ARGUMENT, ErrorKind.INVALID_UTF8)) {
            val e = tozException(k.code, 0, "")
            assertTrue(e is InvalidArgumentException)
            assertEquals(k, e.kind)
        }
        assertEquals("ConflictException(CONFLICT, HTTP 409): stale", tozException(10, 409, "stale").toString())
    }

    @Test
    fun libraryErrorsReachTheMapperWithKindAndMessage() {
        // NULL and non-UTF-8 arguments cannot be produced through the public API; go to the ABI.
        val out = PointerByReference()
        val nullArg = assertThrows<InvalidArgumentException> { check(LibToz.toz_credentials_from_json(null, out)) }
        assertEquals(ErrorKind.NULL_ARGUMENT, nullArg.kind)
        assertTrue(nullArg.message!!.contains("json"), nullArg.message)
        val badUtf8 = byteArrayOf(0xff.toByte(), 0xfe.toByte(), 0)
        val utf8 = assertThrows<InvalidArgumentException> { check(LibToz.toz_credentials_from_json(badUtf8, out)) }
        assertEquals(ErrorKind.INVALID_UTF8, utf8.kind)
        assertEquals(0, utf8.httpStatus)
        assertEquals(null, out.value, "out-parameters are written only on success")
        // A NUL inside a Kotlin string would truncate the C string: refused before the call.
        val nul = assertThrows<InvalidArgumentException> { Credentials.unseal("x", "pass\u0000word") }
        assertEquals(ErrorKind.INVALID_ARGUMENT, nul.kind)
    }

    @Test
    fun credentialsJsonRoundTripAndPublicInfo() {
        Credentials.generate("http://127.0.0.1:9").use { c ->
            val info = c.publicInfo()
            assertEquals(2, info.version)
            assertEquals("", info.clientId, "generated credentials are unregistered")
            assertEquals("http://127.0.0.1:9", info.apiUrl)
            assertEquals(43, info.publicKey.length)
            assertEquals(43, info.publicSigningKey.length)
            val text = c.toJson()
            val obj = Json.parseToJsonElement(text).jsonObject
            assertTrue(obj.containsKey("private_key") && obj.containsKey("private_signing_key"))
            assertFalse(c.toString().contains(obj["private_key"].toString().trim('"')))
            Credentials.fromJson(text).use { back ->
                assertEquals(info, back.publicInfo())
                assertEquals(obj, Json.parseToJsonElement(back.toJson()))
            }
        }
        Credentials.generate().use { assertEquals("https://api.e3db.com", it.publicInfo().apiUrl) }
        Credentials.generate().use { a ->
            Credentials.generate().use { b -> assertNotEquals(a.publicInfo().publicKey, b.publicInfo().publicKey) }
        }
    }

    @Test
    fun malformedCredentials() {
        assertThrows<JsonException> { Credentials.fromJson("{not json") }
        assertThrows<JsonException> { Credentials.fromJson("{}") }
        // Valid JSON whose public key does not match the private key.
        val text = Credentials.generate().use { it.toJson() }
        val other = Credentials.generate().use { it.publicInfo().publicKey }
        val obj = Json.parseToJsonElement(text).jsonObject
        val swapped = JsonObject(obj + ("public_key" to JsonPrimitive(other))).toString()
        val e = assertThrows<InvalidArgumentException> { Credentials.fromJson(swapped) }
        assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind)
        assertFalse(e.message!!.contains(obj["private_key"].toString().trim('"')), "no secret in messages")
    }

    @Test
    fun sealAndUnseal() {
        Credentials.generate().use { c ->
            val sealed = c.seal("correct horse", FAST_SEAL)
            assertFalse(sealed.contains(Json.parseToJsonElement(c.toJson()).jsonObject["private_key"].toString().trim('"')))
            Credentials.unseal(sealed, "correct horse").use { assertEquals(c.publicInfo(), it.publicInfo()) }
            val wrong = assertThrows<WrongPassphraseException> { Credentials.unseal(sealed, "wrong horse") }
            assertEquals(ErrorKind.WRONG_PASSPHRASE, wrong.kind)
            assertFalse(wrong.message!!.contains("horse"))
            // Default (interactive) limits work too.
            val slow = c.seal("pw")
            Credentials.unseal(slow, "pw").use { assertEquals(c.publicInfo(), it.publicInfo()) }
            val tooSmall = assertThrows<TozException> { c.seal("pw", SealOptions(opslimit = 1, memlimit = 1024)) }
            assertEquals(ErrorKind.INVALID_ARGUMENT, tooSmall.kind)
        }
        val garbage = assertThrows<TozException> { Credentials.unseal("not sealed at all", "pw") }
        assertTrue(garbage.kind == ErrorKind.JSON || garbage.kind == ErrorKind.INVALID_ARGUMENT, garbage.toString())
    }

    @Test
    fun saveAndLoadFiles(@TempDir dir: Path) {
        val path = dir.resolve("sub/e3db.json").toString()
        Credentials.generate().use { c ->
            c.saveFile(path)
            val perms = Files.getPosixFilePermissions(Path.of(path))
            assertEquals(setOf(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), perms)
            Credentials.loadFile(path).use { assertEquals(c.publicInfo(), it.publicInfo()) }
            val exists = assertThrows<AlreadyExistsException> { c.saveFile(path) }
            assertEquals(ErrorKind.ALREADY_EXISTS, exists.kind)
            Credentials.generate().use { other ->
                other.saveFile(path, overwrite = true)
                Credentials.loadFile(path).use { assertEquals(other.publicInfo(), it.publicInfo()) }
            }
        }
        assertThrows<NotFoundException> { Credentials.loadFile(dir.resolve("missing.json").toString()) }
        val junk = dir.resolve("junk.json")
        Files.writeString(junk, "this is not json")
        assertThrows<JsonException> { Credentials.loadFile(junk.toString()) }
        val isDir = assertThrows<TozException> { Credentials.loadFile(dir.toString()) }
        assertEquals(ErrorKind.IO, isDir.kind)
    }

    @Test
    fun accessKeyTextWrapAndUnwrap() {
        AccessKey.generate().use { ak ->
            val text = ak.toSensitiveString()
            assertEquals(43, text.length)
            assertFalse(ak.toString().contains(text))
            AccessKey.fromString(text).use { assertEquals(text, it.toSensitiveString()) }
            AccessKey.fromString("$text=").use { assertEquals(text, it.toSensitiveString()) }

            Credentials.generate().use { writer ->
                Credentials.generate().use { reader ->
                    Credentials.generate().use { stranger ->
                        val writerPk = writer.publicInfo().publicKey
                        val eak = ak.wrap(reader.publicInfo().publicKey, writer)
                        assertFalse(eak.contains(text))
                        AccessKey.unwrap(eak, writerPk, reader).use { assertEquals(text, it.toSensitiveString()) }
                        assertThrows<CryptoException> { AccessKey.unwrap(eak, writerPk, stranger) }
                        assertThrows<CryptoException> {
                            AccessKey.unwrap(eak, stranger.publicInfo().publicKey, reader)
                        }
                        assertThrows<InvalidArgumentException> { ak.wrap("not a key", writer) }
                    }
                }
            }
        }
        assertThrows<InvalidArgumentException> { AccessKey.fromString("!!!") }
        assertThrows<InvalidArgumentException> { AccessKey.fromString("AAAA") }
    }

    @Test
    fun offlineRecordEncryption() {
        val data = mapOf("name" to "Alice", "ssn" to "123-45-6789", "empty" to "", "emoji" to "é🙂")
        AccessKey.generate().use { ak ->
            val enc = Toz.encryptRecord(ak, data)
            assertEquals(data.keys, enc.keys)
            for ((k, v) in enc) {
                assertEquals(4, v.split('.').size, k)
                assertFalse(data[k]!!.isNotEmpty() && v.contains(data[k]!!))
            }
            assertEquals(data, Toz.decryptRecord(ak, enc))
            assertNotEquals(enc, Toz.encryptRecord(ak, data), "fresh nonces")
            assertEquals(emptyMap<String, String>(), Toz.decryptRecord(ak, Toz.encryptRecord(ak, emptyMap())))

            AccessKey.generate().use { other ->
                val e = assertThrows<CryptoException> { Toz.decryptRecord(other, enc) }
                assertFalse(e.message!!.contains("Alice"))
            }
            val tamperedValue = enc.getValue("ssn").let { v ->
                val parts = v.split('.').toMutableList()
                parts[2] = parts[2].reversed()
                parts.joinToString(".")
            }
            assertThrows<CryptoException> { Toz.decryptRecord(ak, enc + ("ssn" to tamperedValue)) }
            assertThrows<InvalidArgumentException> { Toz.decryptRecord(ak, mapOf("f" to "not-a-field")) }
        }
    }

    @Test
    fun useAfterCloseAndDoubleClose() {
        val c = Credentials.generate()
        val ak = AccessKey.generate()
        val live = Credentials.generate()
        assertFalse(c.isClosed)
        c.close()
        c.close()
        assertTrue(c.isClosed)
        assertEquals("Credentials(closed)", c.toString())
        for (call in listOf<() -> Unit>(
            { c.publicInfo() }, { c.toJson() }, { c.seal("x", FAST_SEAL) }, { c.saveFile("/nonexistent/x") },
            { c.saveProfile("p") }, { Client(c) }, { ak.wrap(live.publicInfo().publicKey, c) },
            { AccessKey.unwrap("a.b", live.publicInfo().publicKey, c) },
        )) {
            val e = assertThrows<ClosedException>(call)
            assertEquals(ErrorKind.CLOSED, e.kind)
            assertEquals(0, e.httpStatus)
            assertTrue(e.message!!.contains("Credentials"), e.message)
        }
        ak.close()
        ak.close()
        assertThrows<ClosedException> { ak.toSensitiveString() }
        assertThrows<ClosedException> { ak.wrap(live.publicInfo().publicKey, live) }
        assertThrows<ClosedException> { Toz.encryptRecord(ak, mapOf("a" to "b")) }
        assertThrows<ClosedException> { Toz.decryptRecord(ak, mapOf("a" to "b")) }
        live.close()
    }

    @Test
    fun theCleanerFallbackRunsForUnreachableOwners() {
        val ran = CountDownLatch(1)
        HandleCleaner.register(Any(), Runnable { ran.countDown() })
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20)
        while (ran.count > 0 && System.nanoTime() < deadline) {
            System.gc()
            ran.await(50, TimeUnit.MILLISECONDS)
        }
        assertEquals(0, ran.count, "cleanup action did not run after the owner became unreachable")
        // Handles left unclosed are freed by it without harm.
        repeat(1000) { AccessKey.generate() }
        repeat(5) { System.gc() }
        AccessKey.generate().use { assertEquals(43, it.toSensitiveString().length) }
    }
}
