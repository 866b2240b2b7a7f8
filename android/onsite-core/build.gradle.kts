// The library an app depends on: the generated UniFFI bindings (Kotlin packages app.onsite.core and app.onsite.core.ffi),
// the Rust core built for four Android ABIs with cargo-ndk, JNA, and the hand-written facade.
//
// Needs on the build machine: Rust with the Android targets
// (rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android),
// cargo-ndk (cargo install cargo-ndk), and the NDK below (SDK Manager).
plugins {
    alias(libs.plugins.android.library)
    alias(libs.plugins.kotlin.android)
}

/** The repository root: bindings/, core/ and Cargo.toml live there. */
val repoRoot: File = rootDir.parentFile
val abis = providers.gradleProperty("onsite.abis").get().split(',').map { it.trim() }.filter { it.isNotEmpty() }
val rustRelease = providers.gradleProperty("onsite.rustProfile").getOrElse("release") == "release"
val bindingsDir = layout.buildDirectory.dir("generated/uniffi/kotlin")
val jniLibsDir = layout.buildDirectory.dir("rust/jniLibs")
val rustSources = listOf("core/src", "bindings/src", "Cargo.lock", "core/Cargo.toml", "bindings/Cargo.toml")

android {
    namespace = "app.onsite.core"
    compileSdk = 35
    ndkVersion = "27.2.12479018"

    defaultConfig {
        minSdk = 26
        consumerProguardFiles("consumer-rules.pro")
    }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    sourceSets.getByName("main") {
        // Generated at build time, never committed (the same rule as bindings/generated/).
        kotlin.srcDir(bindingsDir)
        jniLibs.srcDir(jniLibsDir)
    }
}

kotlin {
    compilerOptions { jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17) }
}

/** Builds the host cdylib and generates the Kotlin bindings from it (library mode). */
val generateBindings by tasks.registering(Exec::class) {
    group = "onsite"
    description = "Runs bindings/generate.sh kotlin"
    workingDir = repoRoot
    commandLine(repoRoot.resolve("bindings/generate.sh").path, "kotlin")
    rustSources.forEach { inputs.files(repoRoot.resolve(it)) }
    outputs.dir(repoRoot.resolve("bindings/generated/kotlin"))
}

/** Copies the generated Kotlin into this module's build dir (generate.sh wipes its own dir). */
val copyBindings by tasks.registering(Sync::class) {
    group = "onsite"
    dependsOn(generateBindings)
    from(repoRoot.resolve("bindings/generated/kotlin"))
    into(bindingsDir)
}

/** Builds libonsite_ffi.so for each ABI into build/rust/jniLibs/<abi>/ with cargo-ndk. */
val cargoNdk by tasks.registering(Exec::class) {
    group = "onsite"
    description = "cargo ndk build -p onsite-ffi for ${abis.joinToString()}"
    workingDir = repoRoot
    val args = mutableListOf("cargo", "ndk", "--platform", "26", "-o", jniLibsDir.get().asFile.path)
    abis.forEach { args += listOf("-t", it) }
    args += listOf("build", "--locked", "-p", "onsite-ffi")
    if (rustRelease) args += "--release"
    commandLine(args)
    rustSources.forEach { inputs.files(repoRoot.resolve(it)) }
    inputs.property("abis", abis)
    inputs.property("release", rustRelease)
    outputs.dir(jniLibsDir)
    // cargo-ndk finds the NDK through this variable; use the one AGP resolved for ndkVersion.
    val ndk = androidComponents.sdkComponents.ndkDirectory
    doFirst { environment("ANDROID_NDK_HOME", ndk.get().asFile.path) }
}

tasks.named("preBuild") { dependsOn(copyBindings, cargoNdk) }

dependencies {
    // The facade's public API returns Flow, so coroutines are part of this module's API.
    api(libs.kotlinx.coroutines.core)
    implementation(libs.kotlinx.coroutines.android)
    // The generated bindings call the native library through JNA; the AAR carries
    // libjnidispatch.so for every ABI (the plain jar would fail at runtime on a device).
    implementation(variantOf(libs.jna) { artifactType("aar") })
}
