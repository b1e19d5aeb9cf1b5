package android.app

open class Activity : android.content.Context()
