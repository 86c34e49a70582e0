package dev.toz

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import java.util.Collections
import java.util.concurrent.CountDownLatch
import java.util.concurrent.Executors
import java.util.concurrent.Future
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger

/** Handles shared between threads, and closed while other threads use them. */
class ConcurrencyTest {
    companion object {
        @BeforeAll
        @JvmStatic
        fun env() = TestEnv.check()

        const val THREADS = 16
    }

    private fun <T> onThreads(body: (Int) -> T): List<T> {
        val pool = Executors.newFixedThreadPool(THREADS)
        try {
            val start = CountDownLatch(1)
            val futures: List<Future<T>> = (0 until THREADS).map { t -> pool.submit<T> { start.await(); body(t) } }
            start.countDown()
            return futures.map { it.get(120, TimeUnit.SECONDS) }
        } finally {
            pool.shutdownNow()
        }
    }

    @Test
    fun sixteenThreadsShareOneClient() {
        TestClient("concurrent").use { alice ->
            val type = TestEnv.unique("concurrent")
            val ids = onThreads { t ->
                (0 until 5).map { i ->
                    val value = "$t-$i"
                    val rec = alice.client.writeRecord(type, mapOf("v" to value), mapOf("thread" to "$t"))
                    val back = alice.client.readRecord(rec.meta.recordId!!)
                    assertEquals(mapOf("v" to value), back.data)
                    assertEquals(alice.id, alice.client.clientInfo(alice.id).clientId)
                    rec.meta.recordId
                }
            }.flatten()
            assertEquals(THREADS * 5, ids.toSet().size)
            val all = alice.client.query(Query(count = 1000, contentTypes = listOf(type), includeData = true))
            assertEquals(ids.toSet(), all.results.map { it.meta.recordId }.toSet())
            assertEquals((0 until THREADS).flatMap { t -> (0 until 5).map { "$t-$it" } }.toSet(), all.results.map { it.data["v"] }.toSet())
        }
    }

    @Test
    fun sixteenThreadsShareOneAccessKeyAndCredentials() {
        AccessKey.generate().use { ak ->
            Credentials.generate().use { creds ->
                val pk = creds.publicInfo().publicKey
                onThreads { t ->
                    repeat(200) { i ->
                        val data = mapOf("f" to "$t/$i")
                        assertEquals(data, Toz.decryptRecord(ak, Toz.encryptRecord(ak, data)))
                        if (i % 50 == 0) {
                            AccessKey.unwrap(ak.wrap(pk, creds), pk, creds).use { back ->
                                assertEquals(ak.toSensitiveString(), back.toSensitiveString())
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    fun closingWhileOtherThreadsUseTheHandleIsAnErrorNotACrash() {
        repeat(5) {
            val ak = AccessKey.generate()
            val ok = AtomicInteger()
            val closedSeen = Collections.synchronizedList(mutableListOf<ClosedException>())
            val running = CountDownLatch(THREADS)
            val pool = Executors.newFixedThreadPool(THREADS + 1)
            try {
                val workers = (0 until THREADS).map {
                    pool.submit {
                        running.countDown()
                        try {
                            while (true) {
                                assertEquals(mapOf("a" to "b"), Toz.decryptRecord(ak, Toz.encryptRecord(ak, mapOf("a" to "b"))))
                                ok.incrementAndGet()
                            }
                        } catch (e: ClosedException) {
                            closedSeen += e
                        }
                    }
                }
                running.await()
                Thread.sleep(20)
                val closers = (0 until 2).map { pool.submit { ak.close() } }
                closers.forEach { it.get(30, TimeUnit.SECONDS) }
                workers.forEach { it.get(30, TimeUnit.SECONDS) }
            } finally {
                pool.shutdownNow()
            }
            assertTrue(ak.isClosed)
            assertTrue(ok.get() > 0)
            assertEquals(THREADS, closedSeen.size, "every worker stops with ClosedException")
        }
    }

    @Test
    fun closingAClientWhileRequestsAreInFlight() {
        TestEnv.register("closing").use { creds ->
            val client = Client(creds)
            val type = TestEnv.unique("closing")
            val done = AtomicInteger()
            val results = onThreads { t ->
                try {
                    if (t == 0) {
                        Thread.sleep(50)
                        client.close()
                        "closer"
                    } else {
                        repeat(50) { client.writeRecord(type, mapOf("t" to "$t")); done.incrementAndGet() }
                        "finished"
                    }
                } catch (e: ClosedException) {
                    "closed"
                }
            }
            assertTrue(client.isClosed)
            assertEquals("closer", results[0])
            assertTrue(results.drop(1).all { it == "closed" || it == "finished" }, results.toString())
            Client(creds).use { c ->
                assertEquals(done.get(), c.query(Query(count = 1000, contentTypes = listOf(type))).results.size)
            }
        }
    }
}
