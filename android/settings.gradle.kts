// The Android shell of Onsite: `onsite-core` (generated bindings, native libraries, Kotlin
// facade) and `app` (Compose screens). Open this folder in Android Studio.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "onsite-android"
include(":onsite-core", ":app")
