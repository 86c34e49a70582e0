package dev.toz

import java.io.File
import kotlin.system.exitProcess

/**
 * The Kotlin side of scripts/test-interop.sh, run by interop.sh:
 *
 *     interop.sh <register|write|read> <dir> <lang> [other langs...]
 *
 * register saves this client's e3db.json as <dir>/<lang>.e3db.json; write writes a record and
 * shares its type with the clients whose e3db.json files the other languages saved; read reads
 * every other language's record, then loads another language's e3db.json and reads as it.
 */
object InteropStep {
    private const val RECORD_TYPE = "interop"

    private fun fail(message: String): Nothing {
        System.err.println("interop (kotlin): $message")
        exitProcess(1)
    }

    @JvmStatic
    fun main(args: Array<String>) {
        if (args.size < 3) fail("usage: <register|write|read> <dir> <lang> [other langs...]")
        val (step, dir, lang) = args
        val others = args.drop(3)
        fun file(l: String, ext: String) = File(dir, "$l$ext")
        fun recordId(l: String) = file(l, ".record").readText().trim()
        try {
            when (step) {
                "register" -> Toz.register(
                    System.getenv("TOZ_TEST_API_URL") ?: fail("TOZ_TEST_API_URL is not set"),
                    System.getenv("TOZ_TEST_REGISTRATION_TOKEN") ?: fail("TOZ_TEST_REGISTRATION_TOKEN is not set"),
                    "interop-$lang",
                    backup = false,
                ).use { it.saveFile(file(lang, ".e3db.json").path) }
                "write" -> Credentials.loadFile(file(lang, ".e3db.json").path).use { creds ->
                    Client(creds).use { client ->
                        val record = client.writeRecord(RECORD_TYPE, mapOf("from" to lang, "secret" to "$lang-secret"), mapOf("lang" to lang))
                        for (other in others) {
                            val readerId = Credentials.loadFile(file(other, ".e3db.json").path).use { it.publicInfo().clientId }
                            client.share(RECORD_TYPE, readerId)
                        }
                        file(lang, ".record").writeText(record.meta.recordId ?: fail("the stored record has no id"))
                    }
                }
                "read" -> {
                    Credentials.loadFile(file(lang, ".e3db.json").path).use { creds ->
                        Client(creds).use { client ->
                            for (other in others) {
                                val data = client.readRecord(recordId(other)).data
                                if (data != mapOf("from" to other, "secret" to "$other-secret")) fail("$other's record decrypted to $data")
                                println("kotlin read $other's record: ${data["from"]}")
                            }
                        }
                    }
                    val other = others.firstOrNull() ?: fail("read needs another language")
                    Credentials.loadFile(file(other, ".e3db.json").path).use { theirs ->
                        Client(theirs).use { asOther ->
                            if (asOther.readRecord(recordId(other)).data["from"] != other) fail("wrong record as $other")
                        }
                    }
                    println("kotlin loaded $other's e3db.json and read its record as $other")
                }
                else -> fail("unknown step $step")
            }
        } catch (e: TozException) {
            fail(e.toString())
        }
    }
}
