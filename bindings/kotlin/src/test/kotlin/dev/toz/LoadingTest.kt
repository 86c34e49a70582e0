package dev.toz

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.nio.file.Path
import java.util.concurrent.TimeUnit

/** Prints the loaded library's versions, or the loading error; run in a forked JVM by [LoadingTest]. */
object LoadProbe {
    @JvmStatic
    fun main(args: Array<String>) {
        try {
            println("loaded version=${Toz.version()} abi=${Toz.abiVersion()}")
        } catch (e: Throwable) {
            var cause: Throwable = e
            while (cause.cause != null) cause = cause.cause!!
            println("failed ${cause.javaClass.simpleName}: ${cause.message}")
            kotlin.system.exitProcess(3)
        }
    }
}

/** Library loading through TOZ_LIBRARY and jna.library.path, and the ABI version check, each in a fresh JVM. */
class LoadingTest {
    companion object {
        @BeforeAll
        @JvmStatic
        fun env() = TestEnv.check()
    }

    private data class Probe(val exit: Int, val output: String)

    private fun probe(library: String?, vararg jvmArgs: String): Probe {
        val java = File(System.getProperty("java.home"), "bin/java").path
        val classpath = System.getProperty("surefire.test.class.path") ?: System.getProperty("java.class.path")
        val pb = ProcessBuilder(listOf(java, "-cp", classpath) + jvmArgs + LoadProbe::class.java.name)
            .redirectErrorStream(true)
        if (library == null) pb.environment().remove("TOZ_LIBRARY") else pb.environment()["TOZ_LIBRARY"] = library
        val p = pb.start()
        val out = p.inputStream.bufferedReader().readText()
        assertTrue(p.waitFor(60, TimeUnit.SECONDS))
        return Probe(p.exitValue(), out.trim())
    }

    @Test
    fun loadsFromTozLibrary() {
        val r = probe(TestEnv.variable("TOZ_LIBRARY"))
        assertEquals(Probe(0, "loaded version=${Toz.version()} abi=${Toz.BINDING_ABI}"), r)
    }

    @Test
    fun loadsFromJnaLibraryPathWithoutTozLibrary() {
        val dir = File(TestEnv.variable("TOZ_LIBRARY")).parent
        assertEquals(0, probe(null, "-Djna.library.path=$dir").exit)
        val missing = probe(null, "-Djna.library.path=/nonexistent")
        assertEquals(3, missing.exit)
        assertTrue(missing.output.contains("cannot load libtoz") && missing.output.contains("TOZ_LIBRARY"), missing.output)
    }

    @Test
    fun aMissingFileIsNamed() {
        val r = probe("/nonexistent/libtoz.so")
        assertEquals(3, r.exit)
        assertTrue(r.output.contains("/nonexistent/libtoz.so"), r.output)
    }

    @Test
    fun anotherAbiVersionIsRefusedNamingBothNumbers(@TempDir dir: Path) {
        // A stand-in library of a future ABI: only toz_abi_version, returning the next version.
        val future = Toz.BINDING_ABI + 1
        val src = dir.resolve("fake.c").toFile().apply { writeText("unsigned toz_abi_version(void) { return $future; }\n") }
        val lib = dir.resolve("libtoz.so").toString()
        val cc = ProcessBuilder("cc", "-shared", "-fPIC", "-o", lib, src.path).redirectErrorStream(true).start()
        val ccOut = cc.inputStream.bufferedReader().readText()
        assertEquals(0, cc.waitFor(), ccOut)
        val r = probe(lib)
        assertNotEquals(0, r.exit)
        assertTrue(r.output.contains("ABI version mismatch"), r.output)
        assertTrue(r.output.contains("ABI version $future") && r.output.contains("ABI version ${Toz.BINDING_ABI}"), r.output)
    }
}
