package dev.toz

import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.time.Instant
import java.time.OffsetDateTime

/**
 * Notes with access policies (`eacp`) against the live server: one-time passwords primed by the
 * writer, one-time codes mailed on a challenge (read from the mail directory of
 * scripts/with-server.sh), and the refusals around them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NoteEacpTest {
    private lateinit var alice: TestClient
    private lateinit var bob: TestClient
    private lateinit var carol: TestClient

    @BeforeAll
    fun setUp() {
        TestEnv.check()
        alice = TestClient("alice-eacp")
        bob = TestClient("bob-eacp")
        carol = TestClient("carol-eacp")
    }

    @AfterAll
    fun tearDown() {
        alice.close()
        bob.close()
        carol.close()
    }

    private fun recipient(c: TestClient): NoteRecipient {
        val info = c.credentials.publicInfo()
        return NoteRecipient(info.publicKey, info.publicSigningKey)
    }

    private val otpOnly = NoteEacp(toznyOtpEacp = ToznyOtpEacp(include = true))

    /** A refusal for a missing, wrong, expired or used proof: FORBIDDEN, HTTP 403. */
    private fun assertForbidden(call: () -> Unit) {
        val e = assertThrows<ForbiddenException>(call)
        assertEquals(ErrorKind.FORBIDDEN, e.kind)
        assertEquals(403, e.httpStatus)
    }

    /** The refusal of a prime or challenge for a note without that policy: HTTP 400. */
    private fun assertBadRequest(call: () -> Unit) {
        val e = assertThrows<HttpException>(call)
        assertEquals(ErrorKind.HTTP, e.kind)
        assertEquals(400, e.httpStatus, e.toString())
    }

    @Test
    fun policiesAreSentWithTheirWireNamesAndAbsentFieldsLeftOut() {
        val options = NoteOptions(
            eacp = NoteEacp(
                toznyOtpEacp = ToznyOtpEacp(include = true),
                emailEacp = EmailEacp("reader@example.com", templateFields = mapOf("name" to "Bob")),
            ),
        )
        assertEquals(
            """{"eacp":{"tozny_otp_eacp":{"include":true},""" +
                """"email_eacp":{"email_address":"reader@example.com","template_fields":{"name":"Bob"}}}}""",
            json.encodeToString(NoteOptions.serializer(), options),
        )
        assertEquals("{}", json.encodeToString(NoteOptions.serializer(), NoteOptions()))
        val full = EmailEacp("a@b.example", "otp", "https://example.com/open", mapOf("k" to "v"), 15)
        assertEquals(
            """{"email_address":"a@b.example","template":"otp","provider_link":"https://example.com/open",""" +
                """"template_fields":{"k":"v"},"default_expiration_minutes":15}""",
            json.encodeToString(EmailEacp.serializer(), full),
        )
        assertEquals(full, json.decodeFromString(EmailEacp.serializer(), json.encodeToString(EmailEacp.serializer(), full)))
        // The requests carry exactly one of the note's id and name, and only the proofs given.
        assertEquals(
            """{"note_id":"n","tozny_otp":"p"}""",
            json.encodeToString(NoteReadRequest.serializer(), NoteReadRequest(noteId = "n", toznyOtp = "p")),
        )
        assertEquals(
            """{"id_string":"x","expiry_minutes":5}""",
            json.encodeToString(NoteChallengeRequest.serializer(), NoteChallengeRequest(idString = "x", expiryMinutes = 5)),
        )
    }

    @Test
    fun toznyOtpOpensTheNoteOnceForItsPrimedPassword() {
        val name = TestEnv.unique("otp-note")
        val data = mapOf("secret" to "the vault code")
        val written = alice.client.writeNote(data, recipient(bob), NoteOptions(idString = name, eacp = otpOnly))
        val id = written.noteId!!
        assertEquals(otpOnly, written.eacp)

        // Holding the recipient's keys is not enough, nor is a made-up password.
        assertForbidden { bob.client.readNote(id) }
        assertForbidden { bob.client.readNoteByName(name) }
        assertForbidden { bob.client.readNote(id, toznyOtp = "not-the-password") }

        // Only the writer primes.
        assertForbidden { bob.client.primeNote(id) }
        assertForbidden { carol.client.primeNote(id) }

        val otp = alice.client.primeNote(id)
        assertTrue(otp.isNotBlank())
        val read = bob.client.readNote(id, toznyOtp = otp)
        assertEquals(data, read.data)
        assertEquals(id, read.noteId)
        assertEquals(otpOnly, read.eacp)

        // Single use: the same password again is refused.
        assertForbidden { bob.client.readNote(id, toznyOtp = otp) }

        // A new prime (with an expiry) replaces the previous password; by name works the same.
        val replaced = alice.client.primeNote(id, expiryMinutes = 5)
        val latest = alice.client.primeNote(id, expiryMinutes = 5)
        assertNotEquals(otp, latest)
        assertEquals(data, bob.client.readNoteByName(name, toznyOtp = latest).data)
        if (replaced != latest) assertForbidden { bob.client.readNote(id, toznyOtp = replaced) }
        assertForbidden { bob.client.readNoteByName(name, toznyOtp = latest) }

        // The password is for this note only.
        val other = alice.client.writeNote(data, recipient(bob), NoteOptions(eacp = otpOnly)).noteId!!
        val forOther = alice.client.primeNote(other)
        assertForbidden { bob.client.readNote(id, toznyOtp = forOther) }
        assertEquals(data, bob.client.readNote(other, toznyOtp = forOther).data)
    }

    @Test
    fun primingANoteWithoutThePolicyIsRefused() {
        val plain = alice.client.writeNote(mapOf("a" to "b"), recipient(bob)).noteId!!
        assertBadRequest { alice.client.primeNote(plain) }
        val mailed = alice.client.writeNote(
            mapOf("a" to "b"), recipient(bob), NoteOptions(eacp = NoteEacp(emailEacp = EmailEacp("bob@example.com"))),
        ).noteId!!
        assertBadRequest { alice.client.primeNote(mailed) }
        // A note without policies reads as before, and proofs it does not need do no harm.
        assertNull(bob.client.readNote(plain).eacp)
        assertEquals(mapOf("a" to "b"), bob.client.readNote(plain, toznyOtp = "unneeded").data)
        assertThrows<NotFoundException> { alice.client.primeNote("3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11") }
    }

    @Test
    fun emailEacpMailsACodeOnChallenge() {
        val name = TestEnv.unique("mail-note")
        val data = mapOf("secret" to "sent by mail")
        val policy = EmailEacp("bob@example.com", templateFields = mapOf("greeting" to "Hello Bob"), defaultExpirationMinutes = 30)
        val written = alice.client.writeNote(data, recipient(bob), NoteOptions(idString = name, eacp = NoteEacp(emailEacp = policy)))
        val id = written.noteId!!
        assertEquals(policy, written.eacp?.emailEacp)
        assertNull(written.eacp?.toznyOtpEacp)
        assertForbidden { bob.client.readNote(id) }
        assertForbidden { bob.client.readNote(id, emailOtp = "000000") }

        // The recipient asks for a code; the server mails it to the note's address.
        val before = TestEnv.mailNames()
        val challenge = bob.client.challengeNote(id)
        val expiresAt = challenge.emailEacp?.expiresAt
        assertNotNull(expiresAt, challenge.toString())
        assertTrue(OffsetDateTime.parse(expiresAt).toInstant().isAfter(Instant.now()), "expires at $expiresAt")
        val code = TestEnv.mailedCode(id, before)
        assertFalse(code.isBlank())

        val read = bob.client.readNote(id, emailOtp = code)
        assertEquals(data, read.data)
        assertEquals(policy, read.eacp?.emailEacp)
        // Single use.
        assertForbidden { bob.client.readNote(id, emailOtp = code) }

        // By name, with an expiry: a fresh code opens it once more.
        val again = TestEnv.mailNames()
        val asked = Instant.now()
        val byName = bob.client.challengeNoteByName(name, expiryMinutes = 10)
        val secondExpiry = OffsetDateTime.parse(byName.emailEacp!!.expiresAt).toInstant()
        assertTrue(
            secondExpiry.isAfter(asked.plusSeconds(9 * 60)) && secondExpiry.isBefore(Instant.now().plusSeconds(11 * 60)),
            "asked at $asked for 10 minutes, expires at $secondExpiry",
        )
        val second = TestEnv.mailedCode(id, again)
        assertEquals(data, bob.client.readNoteByName(name, emailOtp = second).data)

        // The writer may challenge too, naming a template; anyone else may not.
        assertEquals("reminder", alice.client.challengeNote(id, templateName = "reminder").emailEacp?.templateName)
        assertForbidden { carol.client.challengeNote(id) }
    }

    @Test
    fun challengingANoteWithoutEmailEacpIsAnError() {
        val plain = alice.client.writeNote(mapOf("a" to "b"), recipient(bob)).noteId!!
        assertBadRequest { bob.client.challengeNote(plain) }
        val otp = alice.client.writeNote(mapOf("a" to "b"), recipient(bob), NoteOptions(eacp = otpOnly)).noteId!!
        assertBadRequest { bob.client.challengeNote(otp) }
        assertThrows<NotFoundException> { bob.client.challengeNote("3d1f8f0e-6e7e-4d55-9d43-6a3a3f0c0a11") }
        assertThrows<NotFoundException> { bob.client.challengeNoteByName(TestEnv.unique("nothing")) }
    }

    @Test
    fun bothPoliciesNeedBothProofs() {
        val both = NoteEacp(toznyOtpEacp = ToznyOtpEacp(include = true), emailEacp = EmailEacp("bob@example.com"))
        val id = alice.client.writeNote(mapOf("k" to "v"), recipient(bob), NoteOptions(eacp = both)).noteId!!
        assertForbidden { bob.client.readNote(id, toznyOtp = alice.client.primeNote(id)) }
        val before = TestEnv.mailNames()
        bob.client.challengeNote(id)
        val code = TestEnv.mailedCode(id, before)
        assertForbidden { bob.client.readNote(id, emailOtp = code) }
        // Fresh proofs of both kinds (a new prime replaces the password; a new challenge mails a
        // new code), so that what the refused reads may have spent does not matter.
        val otp = alice.client.primeNote(id)
        val again = TestEnv.mailNames()
        bob.client.challengeNote(id)
        val read = bob.client.readNote(id, toznyOtp = otp, emailOtp = TestEnv.mailedCode(id, again))
        assertEquals(mapOf("k" to "v"), read.data)
        assertEquals(both, read.eacp)
    }
}
