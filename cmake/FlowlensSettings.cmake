# One INTERFACE target carries the settings every FlowLens target shares.
add_library(flowlens_settings INTERFACE)
target_compile_features(flowlens_settings INTERFACE cxx_std_20)
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
target_compile_definitions(flowlens_settings INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_USE_QSTRINGBUILDER
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_URL_CAST_FROM_STRING
    QT_DISABLE_DEPRECATED_BEFORE=0x060400
    FLOWLENS_VERSION="${PROJECT_VERSION}")
target_compile_options(flowlens_settings INTERFACE -Wall -Wextra -Wpedantic)
if(FLOWLENS_WERROR)
    target_compile_options(flowlens_settings INTERFACE -Werror)
endif()
if(FLOWLENS_SANITIZE)
    target_compile_options(flowlens_settings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(flowlens_settings INTERFACE -fsanitize=address,undefined)
endif()
if(FLOWLENS_FUZZ)
    # Every FlowLens object is instrumented for libFuzzer's coverage and checked by ASan/UBSan; the fuzz
    # targets themselves link the fuzzer's main (fuzz/CMakeLists.txt). UB aborts so it counts as a crash.
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "FLOWLENS_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
    endif()
    target_compile_options(flowlens_settings INTERFACE
        -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g)
    target_link_options(flowlens_settings INTERFACE -fsanitize=address,undefined)
endif()
