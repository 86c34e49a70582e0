package dev.toz

import com.sun.jna.Pointer
import com.sun.jna.ptr.PointerByReference
import kotlinx.serialization.KSerializer
import kotlinx.serialization.builtins.ListSerializer
import kotlinx.serialization.builtins.MapSerializer
import kotlinx.serialization.builtins.serializer
import kotlinx.serialization.json.Json

// Type conversion between Kotlin and the C ABI. Nothing here decides anything about records,
// keys or the protocol: it encodes arguments, turns errors into exceptions and copies out results.

/** A Kotlin string as a NUL-terminated UTF-8 C string. */
internal fun cString(s: String): ByteArray {
    if (s.indexOf('\u0000') >= 0) {
        // A C string would silently end at the NUL (a truncated passphrase or id); refuse instead.
        throw InvalidArgumentException(ErrorKind.INVALID_ARGUMENT, 0, "string argument contains a NUL character")
    }
    val utf8 = s.toByteArray(Charsets.UTF_8)
    return utf8.copyOf(utf8.size + 1)
}

/** [cString], or NULL for null. */
internal fun cStringOrNull(s: String?): ByteArray? = s?.let(::cString)

/** A Kotlin boolean as a C `bool`. */
internal fun cBool(b: Boolean): Byte = if (b) 1 else 0

/** Throws the exception for `err` (freeing it at once) unless it is NULL. */
internal fun check(err: Pointer?) {
    if (err == null) return
    val exception = try {
        val message = LibToz.toz_error_get_message(err)?.getString(0, "UTF-8") ?: ""
        tozException(
            LibToz.toz_error_get_kind(err),
            LibToz.toz_error_get_http_status(err).toInt() and 0xFFFF,
            message,
        )
    } finally {
        LibToz.toz_free_error(err)
    }
    throw exception
}

/**
 * One reusable out-parameter per thread. A new [PointerByReference] costs a malloc and a JNA
 * cleaner registration (about a microsecond, more than the rest of a small call); reusing one is
 * safe because it is cleared before each call and read right after it. A call made from inside a
 * progress callback reuses it too, which is still safe: libtoz writes an out-parameter only when
 * the function returns, after its callbacks.
 */
internal val outSlot: ThreadLocal<PointerByReference> = object : ThreadLocal<PointerByReference>() {
    // Not ThreadLocal.withInitial: that needs Android API 26.
    override fun initialValue(): PointerByReference = PointerByReference()
}

/** Runs a call with an out-parameter; returns the pointer it wrote (owned by the caller). */
internal inline fun callForPointer(what: String, call: (PointerByReference) -> Pointer?): Pointer {
    val out = outSlot.get()
    out.value = null
    check(call(out))
    val p = out.value ?: throw IllegalStateException("libtoz returned success without a $what")
    out.value = null
    return p
}

/** Runs a call with an owned `char **` out-parameter; copies the string and frees it at once. */
internal inline fun callForString(call: (PointerByReference) -> Pointer?): String {
    val p = callForPointer("string", call)
    try {
        return p.getString(0, "UTF-8")
    } finally {
        LibToz.toz_free_string(p)
    }
}

/** Runs a call with a handle out-parameter; returns the owned handle pointer. */
internal inline fun callForHandle(call: (PointerByReference) -> Pointer?): Pointer = callForPointer("handle", call)

/** The JSON codec for every structure crossing the ABI (wire field names via @SerialName). */
internal val json: Json = Json {
    ignoreUnknownKeys = true
    explicitNulls = false
    coerceInputValues = true
    encodeDefaults = false
}

/** `{"field":"value",...}`: record data, encrypted data and plain meta. */
internal val stringMap: KSerializer<Map<String, String>> = MapSerializer(String.serializer(), String.serializer())

/** `["a","b"]`. */
internal val stringList: KSerializer<List<String>> = ListSerializer(String.serializer())

/** JSON text to a request argument. */
internal fun <T> encodeArg(serializer: KSerializer<T>, value: T): ByteArray =
    cString(json.encodeToString(serializer, value))

/** Parses JSON that libtoz returned. */
internal fun <T> decodeResult(serializer: KSerializer<T>, text: String): T =
    try {
        json.decodeFromString(serializer, text)
    } catch (e: IllegalArgumentException) { // SerializationException included
        // Not e.message: kotlinx quotes the input, which may be record plaintext.
        throw JsonException(0, "libtoz returned JSON that does not fit ${serializer.descriptor.serialName}")
    }
