// Stand-in for androidx.appcompat.app.AppCompatActivity (an android.app.Activity). Never run.
package androidx.appcompat.app

open class AppCompatActivity : android.app.Activity()
