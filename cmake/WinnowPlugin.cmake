# wn_add_plugin(<name> SOURCES ... [LIBS ...]) builds plugins/<name> as
# wn_<name>.so into the build's plugin directory, with an option
# WN_PLUGIN_<NAME> (off under WN_MINIMAL) and an OBJECT library
# wn_plugin_<name>_obj for unit tests and fuzzers.
function(wn_add_plugin name)
  cmake_parse_arguments(P "" "" "SOURCES;LIBS" ${ARGN})
  string(TOUPPER ${name} upper)
  if(WN_MINIMAL)
    option(WN_PLUGIN_${upper} "build the ${name} plugin" OFF)
  else()
    option(WN_PLUGIN_${upper} "build the ${name} plugin" ON)
  endif()
  if(NOT WN_PLUGIN_${upper})
    return()
  endif()
  add_library(wn_plugin_${name}_obj OBJECT ${P_SOURCES})
  set_target_properties(wn_plugin_${name}_obj PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_include_directories(wn_plugin_${name}_obj PUBLIC ${PROJECT_SOURCE_DIR}/include)
  target_link_libraries(wn_plugin_${name}_obj PUBLIC PkgConfig::XML2 ${P_LIBS})

  add_library(wn_plugin_${name} MODULE $<TARGET_OBJECTS:wn_plugin_${name}_obj>)
  set_target_properties(wn_plugin_${name} PROPERTIES
    PREFIX "" OUTPUT_NAME wn_${name}
    LIBRARY_OUTPUT_DIRECTORY ${WN_PLUGIN_OUTPUT_DIR})
  target_link_libraries(wn_plugin_${name} PRIVATE PkgConfig::XML2 ${P_LIBS})
  # Plugins call the daemon only through the host table: refuse undefined
  # symbols at link time, and bind everything at load time so a missing
  # library fails in uv_dlopen() rather than on first call.
  # (Sanitizer builds leave --no-undefined out: the sanitizer runtime lives in
  # the executable.)
  if(WN_SANITIZE)
    target_link_options(wn_plugin_${name} PRIVATE LINKER:-z,now)
  else()
    target_link_options(wn_plugin_${name} PRIVATE LINKER:--no-undefined,-z,now)
  endif()
  install(TARGETS wn_plugin_${name} LIBRARY DESTINATION ${WN_PLUGIN_INSTALL_RELDIR})
endfunction()
