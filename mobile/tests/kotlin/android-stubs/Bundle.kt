package android.os

class Bundle {
    fun putInt(key: String?, value: Int) {}
}
