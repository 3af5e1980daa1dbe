# The plugin SDK as installed: the headers, a pkg-config file
# (winnow-plugin.pc) and a CMake package (find_package(Winnow)) with the
# imported target Winnow::sdk and winnow_add_plugin(), all in the install
# component "sdk" (cmake --install BUILD --component sdk).
include(CMakePackageConfigHelpers)

set(WN_SDK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Winnow)
set(WN_SDK_PLUGIN_RELDIR ${CMAKE_INSTALL_LIBDIR}/winnow/plugins)
# The .pc file finds its prefix from its own place (relocatable).
file(RELATIVE_PATH WN_SDK_PC_PREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
string(REGEX REPLACE "/$" "" WN_SDK_PC_PREFIX "${WN_SDK_PC_PREFIX}")

# Winnow::sdk: the SDK headers and libxml2, which they include.
add_library(winnow_sdk INTERFACE)
add_library(Winnow::sdk ALIAS winnow_sdk)
set_target_properties(winnow_sdk PROPERTIES EXPORT_NAME sdk)
target_include_directories(winnow_sdk INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(winnow_sdk INTERFACE
  $<BUILD_INTERFACE:PkgConfig::XML2>
  $<INSTALL_INTERFACE:LibXml2::LibXml2>)

install(TARGETS winnow_sdk EXPORT WinnowTargets COMPONENT sdk)
install(EXPORT WinnowTargets NAMESPACE Winnow::
        DESTINATION ${WN_SDK_CMAKE_DIR} COMPONENT sdk)
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/WinnowConfig.cmake.in
  ${CMAKE_BINARY_DIR}/sdk/WinnowConfig.cmake
  INSTALL_DESTINATION ${WN_SDK_CMAKE_DIR}
  PATH_VARS WN_SDK_PLUGIN_RELDIR)
write_basic_package_version_file(
  ${CMAKE_BINARY_DIR}/sdk/WinnowConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES
  ${CMAKE_BINARY_DIR}/sdk/WinnowConfig.cmake
  ${CMAKE_BINARY_DIR}/sdk/WinnowConfigVersion.cmake
  DESTINATION ${WN_SDK_CMAKE_DIR} COMPONENT sdk)

configure_file(${PROJECT_SOURCE_DIR}/cmake/winnow-plugin.pc.in
               ${CMAKE_BINARY_DIR}/sdk/winnow-plugin.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/sdk/winnow-plugin.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT sdk)
install(DIRECTORY include/winnow DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT sdk)
install(FILES docs/plugins.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT sdk)
