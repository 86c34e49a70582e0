package dev.toz

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.fail
import java.io.File

/**
 * Profiles live in `$HOME/.tozny`, and libtoz reads HOME from the process environment, which a
 * JVM cannot change. pom.xml runs the forked test JVM with HOME=target/test-home (and
 * TOZ_TEST_HOME naming the same directory), so these tests never touch the real home.
 */
class ProfileTest {
    companion object {
        lateinit var home: File

        @BeforeAll
        @JvmStatic
        fun redirectedHome() {
            TestEnv.check()
            val expected = System.getenv("TOZ_TEST_HOME") ?: fail("TOZ_TEST_HOME is not set: run through mvn test (pom.xml sets it)")
            assertEquals(expected, System.getenv("HOME"), "HOME must be redirected to the test home by surefire")
            home = File(expected)
        }
    }

    @Test
    fun saveAndLoadNamedProfiles() {
        val name = TestEnv.unique("kt")
        Credentials.generate("http://127.0.0.1:9").use { c ->
            c.saveProfile(name)
            val file = File(home, ".tozny/$name/e3db.json")
            assertTrue(file.isFile, "profile not written at $file")
            Credentials.loadProfile(name).use { assertEquals(c.publicInfo(), it.publicInfo()) }
            assertThrows<AlreadyExistsException> { c.saveProfile(name) }
            Credentials.generate().use { other ->
                other.saveProfile(name, overwrite = true)
                Credentials.loadProfile(name).use { assertEquals(other.publicInfo(), it.publicInfo()) }
                // The file is ordinary e3db.json, loadable by path too.
                Credentials.loadFile(file.path).use { assertEquals(other.publicInfo(), it.publicInfo()) }
            }
        }
        assertThrows<NotFoundException> { Credentials.loadProfile(TestEnv.unique("missing")) }
        for (bad in listOf("../escape", "a/b", "with space")) {
            Credentials.generate().use { c ->
                val e = assertThrows<InvalidArgumentException> { c.saveProfile(bad) }
                assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind, bad)
            }
            assertThrows<InvalidArgumentException> { Credentials.loadProfile(bad) }
        }
    }

    @Test
    fun theDefaultProfile() {
        Credentials.generate().use { c ->
            c.saveProfile(overwrite = true)
            assertTrue(File(home, ".tozny/e3db.json").isFile)
            Credentials.loadProfile().use { assertEquals(c.publicInfo(), it.publicInfo()) }
            Credentials.loadProfile("").use { assertEquals(c.publicInfo(), it.publicInfo()) }
            assertThrows<AlreadyExistsException> { c.saveProfile() }
        }
    }
}
