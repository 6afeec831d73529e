# Reads TensorFlow's compile and link flags from tf.sysconfig, once, and
# defines the imported target TensorFlow::framework.
execute_process(
  COMMAND "${Python_EXECUTABLE}" -c
    "import os; os.environ['TF_CPP_MIN_LOG_LEVEL']='3'; import tensorflow as tf; print(tf.__version__); print('|'.join(tf.sysconfig.get_compile_flags())); print('|'.join(tf.sysconfig.get_link_flags()))"
  OUTPUT_VARIABLE _tf_out
  ERROR_VARIABLE _tf_err
  RESULT_VARIABLE _tf_result
  OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _tf_result EQUAL 0)
  message(FATAL_ERROR "cannot import tensorflow with ${Python_EXECUTABLE}: ${_tf_err}")
endif()
string(REPLACE "\n" ";" _tf_lines "${_tf_out}")
list(GET _tf_lines 0 TensorFlow_VERSION)
list(GET _tf_lines 1 _tf_cflags)
list(GET _tf_lines 2 _tf_lflags)
string(REPLACE "|" ";" _tf_cflags "${_tf_cflags}")
string(REPLACE "|" ";" _tf_lflags "${_tf_lflags}")
message(STATUS "TensorFlow ${TensorFlow_VERSION}")

add_library(TensorFlow::framework INTERFACE IMPORTED)
foreach(flag IN LISTS _tf_cflags)
  if(flag MATCHES "^-I(.*)")
    target_include_directories(TensorFlow::framework SYSTEM INTERFACE "${CMAKE_MATCH_1}")
  elseif(flag MATCHES "^-D(.*)")
    target_compile_definitions(TensorFlow::framework INTERFACE "${CMAKE_MATCH_1}")
  elseif(flag MATCHES "std=c\\+\\+([0-9]+)")
    if(CMAKE_MATCH_1 GREATER CMAKE_CXX_STANDARD)
      message(FATAL_ERROR "TensorFlow needs C++${CMAKE_MATCH_1}")
    endif()
  endif()
endforeach()
foreach(flag IN LISTS _tf_lflags)
  if(flag MATCHES "^-L(.*)")
    target_link_directories(TensorFlow::framework INTERFACE "${CMAKE_MATCH_1}")
  else()
    target_link_libraries(TensorFlow::framework INTERFACE "${flag}")
  endif()
endforeach()
