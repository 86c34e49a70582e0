package dev.toz

import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.fail
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.nio.file.Path
import java.util.concurrent.CancellationException
import kotlin.random.Random

/** Notes (named, limited, anonymous) and streamed files with progress, against the live server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NotesFilesTest {
    private lateinit var alice: TestClient
    private lateinit var bob: TestClient

    @BeforeAll
    fun setUp() {
        TestEnv.check()
        alice = TestClient("alice-notes")
        bob = TestClient("bob-notes")
    }

    @AfterAll
    fun tearDown() {
        alice.close()
        bob.close()
    }

    private fun recipient(c: TestClient): NoteRecipient {
        val info = c.credentials.publicInfo()
        return NoteRecipient(info.publicKey, info.publicSigningKey)
    }

    @Test
    fun clientPublicInfoIsTheCredentials() {
        assertEquals(alice.credentials.publicInfo(), alice.client.publicInfo())
        assertEquals(36, alice.client.publicInfo().clientId.length)
    }

    @Test
    fun noteArgumentsAreCheckedBeforeSending() {
        assertThrows<InvalidArgumentException> { alice.client.writeNote(mapOf("a" to "b"), NoteRecipient("bad", "keys")) }
        val half = NoteRecipient(recipient(bob).publicKey, "bad")
        assertThrows<InvalidArgumentException> { alice.client.writeNote(mapOf("a" to "b"), half) }
        assertThrows<InvalidArgumentException> { alice.client.replaceNote(mapOf("a" to "b"), recipient(bob), NoteOptions()) }
    }

    @Test
    fun fileArgumentsAreCheckedBeforeSending(@TempDir dir: Path) {
        val missing = assertThrows<TozException> { alice.client.writeFile(TestEnv.unique("file"), dir.resolve("missing").toString()) }
        assertTrue(missing is NotFoundException || missing is IoException, missing.toString())
        assertEquals(0, missing.httpStatus)
    }

    /**
     * The exception a transfer whose progress callback threw ends with: the callback's own, which
     * cancelled the transfer, carrying the library's [CancelledException] as suppressed.
     */
    private fun callbackFailure(call: () -> Unit): Throwable {
        val thrown = assertThrows<Throwable>(call)
        assertFalse(thrown is TozException, "the callback's exception, not the library's: $thrown")
        val cancelled = thrown.suppressed.singleOrNull() ?: fail("no suppressed CancelledException in $thrown")
        assertTrue(cancelled is CancelledException && cancelled.kind == ErrorKind.CANCELLED, cancelled.toString())
        return thrown
    }

    /** Asserts that no record of [type] was stored (a cancelled upload leaves none). */
    private fun assertNoRecordOf(type: String) {
        assertEquals(emptyList<Record>(), alice.client.query(Query(contentTypes = listOf(type))).results, type)
    }

    @Test
    fun progressCallbacksRunAndTheirExceptionsSurface(@TempDir dir: Path) {
        val source = dir.resolve("f").toFile().apply { writeBytes(ByteArray(100_000) { it.toByte() }) }
        val seen = mutableListOf<Triple<TransferStage, Long, Long>>()
        val failing = TransferProgress { stage, done, total ->
            seen += Triple(stage, done, total)
            throw IllegalStateException("from the callback")
        }
        val cancelledType = TestEnv.unique("file")
        val e = callbackFailure { alice.client.writeFile(cancelledType, source.path, progress = failing) }
        assertTrue(e is IllegalStateException && e.message == "from the callback", e.toString())
        assertEquals(1, seen.size, "the transfer stops at the callback's first exception")
        // toz-server takes the upload in one pass: the first report is already the upload's.
        assertEquals(TransferStage.UPLOADING, seen[0].first)
        assertTrue(seen[0].third > 100_000L, "the total counts encrypted bytes: ${seen[0]}")
        assertNoRecordOf(cancelledType)

        // Reported stages of a transfer run to its end: the upload reaches its whole size.
        val all = mutableListOf<Triple<TransferStage, Long, Long>>()
        val record = alice.client.writeFile(TestEnv.unique("file"), source.path, progress = { s, d, t -> all += Triple(s, d, t) })
        assertTrue(all.last().let { it.first == TransferStage.UPLOADING && it.second == it.third }, all.toString())

        // A download whose callback throws is cancelled too and leaves no file.
        seen.clear()
        val dest = dir.resolve("copy").toFile()
        val down = callbackFailure { alice.client.readFile(record.meta.recordId!!, dest.path, failing) }
        assertTrue(down is IllegalStateException, down.toString())
        assertEquals(listOf(TransferStage.DOWNLOADING), seen.map { it.first })
        assertFalse(dest.exists(), "a cancelled download leaves no file")

        // Closing the client from inside its own call is refused instead of deadlocking; the
        // refusal, thrown in the callback, cancels the upload.
        Client(alice.credentials).use { c ->
            val refusedType = TestEnv.unique("file")
            val refused = callbackFailure { c.writeFile(refusedType, source.path, progress = { _, _, _ -> c.close() }) }
            assertTrue(refused is IllegalStateException && refused.message!!.contains("inside"), refused.toString())
            assertFalse(c.isClosed)
            assertEquals(alice.id, c.publicInfo().clientId)
            assertNoRecordOf(refusedType)
        }
    }

    /** Cancels, as a caller does, by throwing once half of [stage] is done; records every report. */
    private class CancelHalfway(private val stage: TransferStage) : TransferProgress {
        val calls = mutableListOf<Triple<TransferStage, Long, Long>>()
        override fun onProgress(stage: TransferStage, done: Long, total: Long) {
            calls += Triple(stage, done, total)
            if (stage == this.stage && done * 2 >= total) throw CancellationException("halfway")
        }

        /** The cancellation came halfway through [stage], not at its first report nor after its end. */
        fun assertStoppedHalfway() {
            val (stage, done, total) = calls.last()
            assertEquals(this.stage, stage, calls.toString())
            assertTrue(done * 2 >= total && done < total, "stopped at $done of $total")
            assertTrue(calls.count { it.first == this.stage } > 1, "more than one report before cancelling: $calls")
        }
    }

    @Test
    fun deliberateCancellationHalfwayStoresNothing(@TempDir dir: Path) {
        // Several encryption blocks (64 KiB) and reads, so that halfway is well inside the transfer.
        val bytes = Random(11).nextBytes(1_000_000)
        val source = dir.resolve("big.bin").toFile().apply { writeBytes(bytes) }

        // A single-pass upload (toz-server), cancelled while uploading.
        val singlePassType = TestEnv.unique("file")
        val upload = CancelHalfway(TransferStage.UPLOADING)
        val stopped = callbackFailure { alice.client.writeFile(singlePassType, source.path, progress = upload) }
        assertTrue(stopped is CancellationException && stopped.message == "halfway", stopped.toString())
        upload.assertStoppedHalfway()
        assertTrue(upload.calls.all { it.first == TransferStage.UPLOADING }, upload.calls.toString())
        assertNoRecordOf(singlePassType)

        // A checksum-first upload, cancelled while encrypting to its temporary file: the upload
        // never starts.
        val checksumFirstType = TestEnv.unique("file")
        Client(alice.credentials, Options(singlePassUploads = false)).use { c ->
            val encrypting = CancelHalfway(TransferStage.ENCRYPTING)
            assertTrue(callbackFailure { c.writeFile(checksumFirstType, source.path, progress = encrypting) } is CancellationException)
            encrypting.assertStoppedHalfway()
            assertTrue(encrypting.calls.all { it.first == TransferStage.ENCRYPTING }, encrypting.calls.toString())
            assertNoRecordOf(checksumFirstType)
            // The client still works after a cancelled transfer.
            c.writeFile(checksumFirstType, source.path)
            assertEquals(1, c.query(Query(contentTypes = listOf(checksumFirstType))).results.size)
        }

        // A download cancelled halfway leaves nothing in the destination's directory (no partial file).
        val recordId = alice.client.writeFile(singlePassType, source.path).meta.recordId!!
        val out = dir.resolve("out").toFile().apply { mkdirs() }
        val dest = File(out, "copy.bin")
        val download = CancelHalfway(TransferStage.DOWNLOADING)
        assertTrue(callbackFailure { alice.client.readFile(recordId, dest.path, download) } is CancellationException)
        download.assertStoppedHalfway()
        assertEquals(emptyList<String>(), out.list()!!.toList(), "a cancelled download leaves no file")

        // Afterwards the client transfers as usual.
        alice.client.readFile(recordId, dest.path)
        assertArrayEquals(bytes, dest.readBytes())
        assertEquals(1, alice.client.query(Query(contentTypes = listOf(singlePassType))).results.size)
    }

    @Test
    fun anonymousClientsAreMadeFromUnregisteredCredentials() {
        Credentials.generate(TestEnv.apiUrl).use { throwaway ->
            Client(throwaway).use { anonymous ->
                assertEquals("", anonymous.publicInfo().clientId)
                assertEquals(throwaway.publicInfo(), anonymous.publicInfo())
                // Only notes are available to it.
                assertThrows<InvalidArgumentException> { anonymous.writeRecord("t", mapOf("a" to "b")) }
                assertThrows<InvalidArgumentException> { anonymous.outgoingShares() }
            }
        }
    }

    @Test
    fun namedNotesWriteReadReplaceDelete() {
        val name = TestEnv.unique("note")
        val data = mapOf("secret" to "meet at noon", "where" to "the usual place")
        val written = alice.client.writeNote(data, recipient(bob), NoteOptions(idString = name, type = "memo", plain = mapOf("k" to "v")))
        val id = written.noteId!!
        assertEquals(name, written.idString)
        assertEquals(alice.id, written.clientId)
        assertEquals("memo", written.type)
        assertEquals(mapOf("k" to "v"), written.plain)
        assertEquals(data.keys, written.data.keys)
        assertFalse(written.data.values.any { it.contains("noon") }, "stored data is encrypted")
        assertEquals(-1, written.maxViews)

        val read = bob.client.readNote(id)
        assertEquals(data, read.data)
        assertEquals(id, read.noteId)
        assertEquals(alice.credentials.publicInfo().publicSigningKey, read.writerSigningKey)
        assertEquals(data, bob.client.readNoteByName(name).data)

        // Not addressed to alice: she cannot read her own note to bob.
        assertThrows<TozException> { alice.client.readNote(id) }

        val taken = assertThrows<ConflictException> { alice.client.writeNote(data, recipient(bob), NoteOptions(idString = name)) }
        assertEquals(409, taken.httpStatus)

        val replaced = alice.client.replaceNote(mapOf("secret" to "moved to one"), recipient(bob), NoteOptions(idString = name))
        assertEquals(mapOf("secret" to "moved to one"), bob.client.readNoteByName(name).data)
        assertThrows<InvalidArgumentException> { alice.client.replaceNote(data, recipient(bob), NoteOptions()) }

        alice.client.deleteNote(replaced.noteId!!)
        assertThrows<NotFoundException> { bob.client.readNoteByName(name) }
        assertThrows<NotFoundException> { bob.client.readNote(replaced.noteId) }
    }

    @Test
    fun viewLimits() {
        val once = alice.client.writeNote(mapOf("a" to "b"), recipient(bob), NoteOptions(maxViews = 1))
        assertEquals(1, once.maxViews)
        assertEquals(mapOf("a" to "b"), bob.client.readNote(once.noteId!!).data)
        assertThrows<NotFoundException> { bob.client.readNote(once.noteId) }
        assertThrows<NotFoundException> { bob.client.readNote("3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11") }
    }

    @Test
    fun anonymousClientsWriteNotesOnly() {
        Credentials.generate(TestEnv.apiUrl).use { throwaway ->
            Client(throwaway).use { anonymous ->
                val note = anonymous.writeNote(mapOf("tip" to "anonymous tip"), recipient(bob))
                assertTrue(note.clientId.isNullOrEmpty(), "anonymous notes carry no writer id: ${note.clientId}")
                assertEquals(mapOf("tip" to "anonymous tip"), bob.client.readNote(note.noteId!!).data)
            }
        }
    }

    @Test
    fun checksumFirstUploadsEncryptThenUpload(@TempDir dir: Path) {
        // With single-pass uploads off (as with servers other than toz-server) the file is
        // encrypted to a temporary file first, for the MD5 Tozny's protocol announces.
        val bytes = Random(7).nextBytes(150_000)
        val source = dir.resolve("doc.bin").toFile().apply { writeBytes(bytes) }
        Client(alice.credentials, Options(singlePassUploads = false)).use { c ->
            val up = Recorder()
            val record = c.writeFile(TestEnv.unique("file"), source.path, progress = up)
            val meta = record.meta.fileMeta ?: fail("a file record has file_meta")
            val size = bytes.size.toLong()
            assertEquals(listOf(TransferStage.ENCRYPTING, TransferStage.UPLOADING), up.calls.map { it.first }.distinct())
            assertTrue(up.calls.contains(Triple(TransferStage.ENCRYPTING, size, size)), up.calls.toString())
            assertEquals(Triple(TransferStage.UPLOADING, meta.size, meta.size), up.calls.last())
            assertEquals(16, java.util.Base64.getDecoder().decode(meta.checksum).size)
            val copy = File(dir.toFile(), "copy.bin")
            c.readFile(record.meta.recordId!!, copy.path)
            assertArrayEquals(bytes, copy.readBytes())
        }
    }

    private class Recorder : TransferProgress {
        val calls = mutableListOf<Triple<TransferStage, Long, Long>>()
        override fun onProgress(stage: TransferStage, done: Long, total: Long) {
            calls += Triple(stage, done, total)
        }
    }

    @Test
    fun filesRoundTripWithProgressAndSharing(@TempDir dir: Path) {
        val bytes = Random(42).nextBytes(300_000)
        val source = dir.resolve("report.bin").toFile().apply { writeBytes(bytes) }
        val type = TestEnv.unique("file")

        val up = Recorder()
        val record = alice.client.writeFile(type, source.path, mapOf("kind" to "report"), up)
        val meta = record.meta.fileMeta ?: fail("a file record has file_meta")
        assertEquals("report.bin", meta.fileName)
        assertTrue(meta.size > bytes.size, "encrypted size ${meta.size}")
        assertEquals(mapOf("kind" to "report"), record.meta.plain)
        assertTrue(up.calls.all { it.first == TransferStage.UPLOADING }, "a single pass: ${up.calls}")
        assertTrue(up.calls.any { it.first == TransferStage.UPLOADING && it.second == meta.size }, up.calls.toString())
        assertTrue(up.calls.zipWithNext().all { (a, b) -> a.first != b.first || a.second <= b.second }, "progress never goes back")

        val down = Recorder()
        val dest = File(dir.toFile(), "out/copy.bin")
        dest.parentFile.mkdirs()
        val got = alice.client.readFile(record.meta.recordId!!, dest.path, down)
        assertEquals(record.meta.recordId, got.meta.recordId)
        assertArrayEquals(bytes, dest.readBytes())
        assertTrue(down.calls.isNotEmpty() && down.calls.all { it.first == TransferStage.DOWNLOADING })
        assertEquals(meta.size, down.calls.last().second)

        val bobCopy = File(dir.toFile(), "bob.bin")
        assertThrows<TozException> { bob.client.readFile(record.meta.recordId, bobCopy.path) }
        assertFalse(bobCopy.exists(), "nothing is left after a failed download")
        alice.client.share(type, bob.id)
        bob.client.readFile(record.meta.recordId, bobCopy.path)
        assertArrayEquals(bytes, bobCopy.readBytes())

        // An empty file, without progress.
        val empty = dir.resolve("empty").toFile().apply { writeBytes(ByteArray(0)) }
        val emptyRecord = alice.client.writeFile(type, empty.path)
        val emptyCopy = File(dir.toFile(), "empty.copy")
        alice.client.readFile(emptyRecord.meta.recordId!!, emptyCopy.path)
        assertEquals(0, emptyCopy.length())
    }

    @Test
    fun fileFailurePaths(@TempDir dir: Path) {
        val type = TestEnv.unique("file")
        val plainRecord = alice.client.writeRecord(type, mapOf("a" to "b"))
        // Not a file record: the server has no file under that id.
        assertThrows<NotFoundException> { alice.client.readFile(plainRecord.meta.recordId!!, dir.resolve("x").toString()) }
        assertFalse(dir.resolve("x").toFile().exists())
        assertThrows<NotFoundException> { alice.client.readFile("3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11", dir.resolve("y").toString()) }
    }
}
